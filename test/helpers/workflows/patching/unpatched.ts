/** The same change without the gate: what the replay test must catch. */
import { sleep } from '@temporalio/workflow';
import { MINUTE } from './patch';

export async function patchingExample(): Promise<string> {
  await sleep('1 second');
  await sleep(MINUTE);
  return 'done';
}
