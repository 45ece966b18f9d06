/**
 * GBG GO v1 (`gbg-go-v1`): both documented state shapes (API reference `{instanceId, status, metaData, data}`;
 * guide `{instanceId, state, timestamp, lastUpdated}`, docs/providers.md) and the pure normaliser.
 */
import { z } from 'zod';
import type { JourneyState } from '../../contract/journey-state';
import { isTerminal } from '../../contract/vocabulary';
import { parseOrThrow, ProviderResponseError } from '../errors';
import { gbgMetaDataSchema } from '../gbg-go-v2/state';
import { GBG_STATUSES } from '../gbg/statuses';
import { lenient, optionalText } from '../lenient';
import { mapStatus } from '../status';
import { compact, durationBetween, present, type NormaliseContext } from '../util';

const PROVIDER = 'gbg-go-v1' as const;

/** The status (`status`, else `state`) is strict; the rest is optional data, read leniently. */
export const gbgV1StateSchema = z.looseObject({
  instanceId: optionalText,
  /** API reference. */
  status: z.string().nullish(),
  /** Guide variant, read when `status` is absent. */
  state: z.string().nullish(),
  metaData: lenient(gbgMetaDataSchema),
  data: z.unknown().optional(),
  timestamp: optionalText,
  lastUpdated: optionalText,
});
export type GbgV1State = z.infer<typeof gbgV1StateSchema>;

export function normaliseGbgV1(body: unknown, ctx: NormaliseContext): JourneyState {
  const state = parseOrThrow(PROVIDER, gbgV1StateSchema, body);
  const field = state.status !== null && state.status !== undefined ? 'status' : 'state';
  const providerStatus = state.status ?? state.state;
  if (providerStatus === null || providerStatus === undefined) {
    throw new ProviderResponseError(PROVIDER, 'status', 'missing (neither status nor state is present)');
  }
  const status = mapStatus(PROVIDER, GBG_STATUSES, providerStatus, field);
  const terminal = isTerminal(status);
  const startedAt = present(state.metaData?.createdTime);
  // The guide variant has no completion time; its lastUpdated (else timestamp) is the best one once terminal.
  const completedAt =
    present(state.metaData?.completedTime) ??
    (terminal ? (present(state.lastUpdated) ?? present(state.timestamp)) : undefined);
  return compact({
    provider: PROVIDER,
    journeyId: ctx.journeyId,
    status,
    terminal,
    providerStatus,
    decision: 'undecided' as const,
    startedAt,
    completedAt,
    durationMs: durationBetween(startedAt, completedAt),
    steps: [],
    source: ctx.source ?? 'poll',
    observedAt: ctx.observedAt,
  });
}
