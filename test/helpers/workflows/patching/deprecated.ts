/** The patch's second stage: the old branch is gone, the marker is still recorded. */
import { sleep } from '@temporalio/workflow';
import { deprecated } from '../../../../src/workflows/versions';
import { EXTRA_TIMER_PATCH, MINUTE } from './patch';

export async function patchingExample(): Promise<string> {
  deprecated(EXTRA_TIMER_PATCH);
  await sleep('1 second');
  await sleep(MINUTE);
  return 'done';
}
