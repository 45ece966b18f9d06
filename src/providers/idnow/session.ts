/**
 * IDnow Trust Platform sessions (`GET /api/v1/{environment}/sessions/{sessionId}`): the schema (both `lastStep`
 * shapes, `outcome` in either case) and the pure normaliser.
 */
import { z } from 'zod';
import { isTerminal, type JourneyDecision, type JourneyState, type JourneyStep } from '../../journey';
import { parseOrThrow } from '../errors';
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

const optionalString = z.string().nullish();

/** `{stepId, stepDescription, verdict}` (production docs) or `{stepName, stepType, verdict}` (sandbox docs). */
export const idnowLastStepSchema = z.looseObject({
  stepId: optionalString,
  stepDescription: optionalString,
  stepName: optionalString,
  stepType: optionalString,
  verdict: optionalString,
});

export const idnowSessionSchema = z.looseObject({
  sessionId: optionalString,
  sessionStatus: z.string(),
  flowId: optionalString,
  flowVersion: z.union([z.number(), z.string()]).nullish(),
  environment: optionalString,
  subjectId: optionalString,
  /** `accepted`, `rejected`, `NO_OUTCOME`; `ACCEPTED` in the sandbox docs. */
  outcome: optionalString,
  createdAt: optionalString,
  startedAt: optionalString,
  updatedAt: optionalString,
  completedAt: optionalString,
  expiresAt: optionalString,
  redirectUrl: optionalString,
  state: optionalString,
  lastStep: idnowLastStepSchema.nullish(),
  results: z.record(z.string(), z.looseObject({ type: optionalString, id: z.string() })).nullish(),
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
