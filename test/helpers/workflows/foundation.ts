import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { sleep, upsertSearchAttributes } from '@temporalio/workflow';

export const testStatusKey = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);

export async function sleepForAnHour(): Promise<string> {
  await sleep('1 hour');
  return 'woke';
}

export async function upsertStatus(status: string): Promise<void> {
  upsertSearchAttributes([{ key: testStatusKey, value: status }]);
}
