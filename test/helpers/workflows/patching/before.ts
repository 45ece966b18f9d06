/** The shape before the change: one timer. */
import { sleep } from '@temporalio/workflow';
import { MINUTE } from './patch';

export async function patchingExample(): Promise<string> {
  await sleep(MINUTE);
  return 'done';
}
