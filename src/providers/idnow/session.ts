/**
 * IDnow Trust Platform sessions (`GET /api/v1/{environment}/sessions/{sessionId}`): the schema (both `lastStep`
 * shapes, `outcome` in either case) and the pure normaliser. Everything but `sessionStatus` is read leniently.
 */
import { z } from 'zod';
import type { JourneyState, JourneyStep } from '../../contract/journey-state';
import { isTerminal, type JourneyDecision } from '../../contract/vocabulary';
import { parseOrThrow } from '../errors';
import { lenient, lenientRecord, optionalText } from '../lenient';
import { mapStatus, statusKey, type StatusTable } from '../status';
import { compact, durationBetween, present, type NormaliseContext } from '../util';

const PROVIDER = 'idnow' as const;

export const IDNOW_STATUSES: StatusTable = {
  created: 'in_progress',
  running: 'in_progress',
  completed: 'completed',
  aborted: 'aborted',
  expired: 'expired',
  error: 'failed',
};

/** `{stepId, stepDescription, verdict}` (production docs) or `{stepName, stepType, verdict}` (sandbox docs). */
export const idnowLastStepSchema = z.looseObject({
  stepId: optionalText,
  stepDescription: optionalText,
  stepName: optionalText,
  stepType: optionalText,
  verdict: optionalText,
});

export const idnowSessionSchema = z.looseObject({
  sessionId: optionalText,
  sessionStatus: z.string(),
  flowId: optionalText,
  flowVersion: lenient(z.union([z.number(), z.string()])),
  environment: optionalText,
  subjectId: optionalText,
  /** `accepted`, `rejected`, `NO_OUTCOME`; `ACCEPTED` in the sandbox docs. */
  outcome: optionalText,
  createdAt: optionalText,
  startedAt: optionalText,
  updatedAt: optionalText,
  completedAt: optionalText,
  expiresAt: optionalText,
  redirectUrl: optionalText,
  state: optionalText,
  lastStep: lenient(idnowLastStepSchema),
  /** Typed references; only `{type, id}` is documented, so an entry without a string id is skipped. */
  results: lenientRecord(z.looseObject({ type: optionalText, id: z.string() })),
});
export type IdnowSession = z.infer<typeof idnowSessionSchema>;

export function idnowDecision(outcome: string | null | undefined): JourneyDecision {
  if (!outcome) return 'undecided';
  const key = statusKey(outcome);
  return key === 'accepted' ? 'accepted' : key === 'rejected' ? 'rejected' : 'undecided';
}

export function idnowSteps(lastStep: z.infer<typeof idnowLastStepSchema> | null | undefined): JourneyStep[] {
  if (!lastStep) return [];
  return [
    compact({
      id: lastStep.stepId ?? lastStep.stepName ?? 'lastStep',
      type: lastStep.stepType ?? undefined,
      status: lastStep.verdict ?? undefined,
    }),
  ];
}

export function normaliseIdnowSession(body: unknown, ctx: NormaliseContext): JourneyState {
  const session = parseOrThrow(PROVIDER, idnowSessionSchema, body);
  const status = mapStatus(PROVIDER, IDNOW_STATUSES, session.sessionStatus, 'sessionStatus');
  const terminal = isTerminal(status);
  const startedAt = present(session.startedAt);
  const completedAt = present(session.completedAt);
  const journey = compact({
    definitionId: session.flowId ?? undefined,
    version:
      session.flowVersion === null || session.flowVersion === undefined ? undefined : String(session.flowVersion),
  });
  const results = Object.entries(session.results ?? {});
  return compact({
    provider: PROVIDER,
    journeyId: ctx.journeyId,
    status,
    terminal,
    providerStatus: session.sessionStatus,
    decision: terminal ? idnowDecision(session.outcome) : 'undecided',
    outcome: session.outcome ?? undefined,
    journey: Object.keys(journey).length > 0 ? journey : undefined,
    startedAt,
    completedAt,
    durationMs: durationBetween(startedAt, completedAt),
    steps: idnowSteps(session.lastStep),
    results:
      results.length > 0
        ? Object.fromEntries(results.map(([name, ref]) => [name, { dataBlockId: ref.id }]))
        : undefined,
    source: ctx.source ?? 'poll',
    observedAt: ctx.observedAt,
  });
}
