/**
 * The naive loop the product is measured against: fetch, keep the provider's raw payload, sleep, repeat.
 * Every poll's full JSON body is an activity result in history.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { NaiveActivities, NaiveFetchInput } from './naive-activity';

const { fetchRawState } = proxyActivities<NaiveActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 1 },
});

export interface NaivePollInput extends NaiveFetchInput {
  intervalMs: number;
  /** Stop this long after the start, like a journey's deadline: the last wait ends there (waiting-cost runs). */
  forMs?: number;
}

const OPEN: Record<NaiveFetchInput['provider'], readonly string[]> = {
  'gbg-go-v2': ['InProgress', 'Paused'],
  idnow: ['CREATED', 'RUNNING'],
};

function providerStatus(provider: NaiveFetchInput['provider'], raw: unknown): string | undefined {
  const body = raw as { status?: string; sessionStatus?: string } | null;
  return provider === 'idnow' ? body?.sessionStatus : body?.status;
}

export async function naivePollJourney(input: NaivePollInput): Promise<unknown> {
  const end = input.forMs === undefined ? Infinity : Date.now() + input.forMs;
  for (;;) {
    const raw = await fetchRawState({ provider: input.provider, journeyId: input.journeyId });
    const status = providerStatus(input.provider, raw);
    if (status !== undefined && !OPEN[input.provider].includes(status)) return raw;
    const left = end - Date.now();
    if (left <= 0) return null;
    await sleep(Math.min(input.intervalMs, left));
    if (Date.now() >= end) return null;
  }
}
