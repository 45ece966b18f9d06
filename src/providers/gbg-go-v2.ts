/**
 * GBG GO v2 (`gbg-go-v2`): the state response schema (the documented `context.process…` shape and the SDK-spec
 * `metaData`/`data` shape, PROVIDERS.md §2) and its pure normaliser.
 */
import { z } from 'zod';
import { isTerminal, type JourneyDecision, type JourneyState, type JourneyStep, type JourneySubject } from '../journey';
import { parseOrThrow } from './errors';
import { mapStatus, type StatusTable } from './status';
import { compact, durationBetween, isRecord, present, type NormaliseContext } from './util';

const PROVIDER = 'gbg-go-v2' as const;

/** `InProgress`, `Paused` (SDK enum): non-terminal. `Completed`: success path. `Failed`, `Error` (sample code): failure. */
export const GBG_V2_STATUSES: StatusTable = {
  inprogress: 'in_progress',
  paused: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  error: 'failed',
};

const optionalString = z.string().nullish();
const version = z.union([z.string(), z.number()]).nullish();

/** Steps are undocumented; the sample backend reads `{nodeId, outcomeClassification, result{status, outcome, error}}`. */
export const gbgV2StepSchema = z.looseObject({
  nodeId: optionalString,
  id: optionalString,
  type: optionalString,
  outcomeClassification: optionalString,
  result: z
    .looseObject({ status: optionalString, outcome: optionalString, advice: z.unknown().optional(), error: z.unknown().optional() })
    .nullish(),
});

export const gbgIdentitySchema = z.looseObject({
  firstName: optionalString,
  lastNames: z.array(z.string()).nullish(),
  dateOfBirth: optionalString,
  currentAddress: z.record(z.string(), z.unknown()).nullish(),
});

/** Documented shape: `context.process.{journey, instance, steps}`, `context.subject`, `context.result`. */
export const gbgV2ContextSchema = z.looseObject({
  process: z
    .looseObject({
      journey: z
        .looseObject({
          name: optionalString,
          id: optionalString,
          version,
          startedAt: optionalString,
          endedAt: optionalString,
          durationMilliSec: z.number().nullish(),
        })
        .nullish(),
      instance: z.looseObject({ id: optionalString, instanceId: optionalString }).nullish(),
      steps: z.array(gbgV2StepSchema).nullish(),
    })
    .nullish(),
  subject: z.looseObject({ identity: gbgIdentitySchema.nullish() }).nullish(),
  /** `pending|completed|failed` documented, `complete` in the fixture: reported, never decides terminality. */
  result: z.looseObject({ status: optionalString, advice: z.unknown().optional() }).nullish(),
});

/** SDK-spec shape (also GBG v1's API-reference shape): `metaData{createdTime, completedTime}` and optional `data`. */
export const gbgMetaDataSchema = z.looseObject({ createdTime: optionalString, completedTime: optionalString });

/** Either shape: `status` is required; `context` (documented) and `metaData`/`data` (SDK spec) are both optional. */
export const gbgV2StateSchema = z.looseObject({
  instanceId: optionalString,
  status: z.string(),
  context: gbgV2ContextSchema.nullish(),
  metaData: gbgMetaDataSchema.nullish(),
  data: z.unknown().optional(),
});
export type GbgV2State = z.infer<typeof gbgV2StateSchema>;

/** Advice is an object of capability-code arrays in practice (or a string): the codes, comma-separated. */
export function adviceText(advice: unknown): string | undefined {
  if (typeof advice === 'string') return advice || undefined;
  if (!isRecord(advice)) return undefined;
  const codes = Object.values(advice).flatMap((v) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [],
  );
  return codes.length > 0 ? codes.join(', ') : undefined;
}

export function gbgSteps(steps: z.infer<typeof gbgV2StepSchema>[] | null | undefined): JourneyStep[] {
  return (steps ?? []).map((step, i) =>
    compact({
      id: step.nodeId ?? step.id ?? `step-${i + 1}`,
      type: step.type ?? undefined,
      status: step.result?.status ?? undefined,
      outcome: step.result?.outcome ?? undefined,
      advice: adviceText(step.result?.advice),
    }),
  );
}

/** Sample-backend rule: `positive` passes, `negative` fails, anything else refers. No classification: undecided. */
export function gbgDecision(steps: z.infer<typeof gbgV2StepSchema>[] | null | undefined): JourneyDecision {
  const classes = (steps ?? []).map((s) => s.outcomeClassification?.toLowerCase()).filter((c): c is string => !!c);
  if (classes.length === 0) return 'undecided';
  if (classes.includes('negative')) return 'rejected';
  return classes.every((c) => c === 'positive') ? 'accepted' : 'undecided';
}

export function gbgSubject(identity: z.infer<typeof gbgIdentitySchema> | null | undefined): JourneySubject | undefined {
  if (!identity) return undefined;
  const subject = compact({
    firstName: identity.firstName ?? undefined,
    lastNames: identity.lastNames ?? undefined,
    dateOfBirth: identity.dateOfBirth ?? undefined,
    address: identity.currentAddress ?? undefined,
  });
  return Object.keys(subject).length > 0 ? subject : undefined;
}

export function normaliseGbgV2(body: unknown, ctx: NormaliseContext): JourneyState {
  const state = parseOrThrow(PROVIDER, gbgV2StateSchema, body);
  const status = mapStatus(PROVIDER, GBG_V2_STATUSES, state.status, 'status');
  const terminal = isTerminal(status);
  const journey = state.context?.process?.journey;
  const steps = state.context?.process?.steps;
  const normalisedSteps = gbgSteps(steps);
  const startedAt = present(journey?.startedAt) ?? present(state.metaData?.createdTime);
  const completedAt = present(journey?.endedAt) ?? present(state.metaData?.completedTime);
  const journeyInfo = journey
    ? compact({
        name: journey.name ?? undefined,
        definitionId: journey.id ?? undefined,
        version: journey.version === null || journey.version === undefined ? undefined : String(journey.version),
      })
    : undefined;
  const lastOutcome = [...normalisedSteps].reverse().find((s) => s.outcome !== undefined)?.outcome;
  return compact({
    provider: PROVIDER,
    journeyId: ctx.journeyId,
    status,
    terminal,
    providerStatus: state.status,
    decision: terminal ? gbgDecision(steps) : 'undecided',
    outcome: lastOutcome,
    journey: journeyInfo && Object.keys(journeyInfo).length > 0 ? journeyInfo : undefined,
    startedAt,
    completedAt,
    durationMs: journey?.durationMilliSec ?? durationBetween(startedAt, completedAt),
    steps: normalisedSteps,
    subject: gbgSubject(state.context?.subject?.identity),
    source: ctx.source ?? 'poll',
    observedAt: ctx.observedAt,
  });
}
