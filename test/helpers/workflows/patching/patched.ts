/** The change gated by the registry: executions from before it replay without the extra timer. */
import { sleep } from '@temporalio/workflow';
import { isPatched } from '../../../../src/workflows/versions';
import { EXTRA_TIMER_PATCH, MINUTE } from './patch';

export async function patchingExample(): Promise<string> {
  if (isPatched(EXTRA_TIMER_PATCH)) await sleep('1 second');
  await sleep(MINUTE);
  return 'done';
}
