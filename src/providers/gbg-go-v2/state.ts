/**
 * GBG GO v2 (`gbg-go-v2`): the state response schema (the documented `context.process…` shape and the SDK-spec
 * `metaData`/`data` shape, and the top-level `journey`/`steps`/`result` GBG's sample backend reads; docs/providers.md)
 * and its pure normaliser. Everything but `status` is optional data, read leniently (../lenient.ts).
 */
import { z } from 'zod';
import type { JourneyState, JourneyStep, JourneySubject } from '../../contract/journey-state';
import { isTerminal, type JourneyDecision } from '../../contract/vocabulary';
import { parseOrThrow } from '../errors';
import { GBG_STATUSES } from '../gbg/statuses';
import { lenient, lenientList, optionalText } from '../lenient';
import { mapStatus } from '../status';
import { compact, durationBetween, isCodeLike, isRecord, present, type NormaliseContext } from '../util';

const PROVIDER = 'gbg-go-v2' as const;

const version = lenient(z.union([z.string(), z.number()]));

/** GBG's `result` object, at the top level (sample backend) and under `context.result` (docs). */
export const gbgResultSchema = z.looseObject({
  status: optionalText,
  outcome: optionalText,
  /** `positive` passes, `negative` fails, anything else refers (GBG's sample backend). */
  outcomeClassification: optionalText,
  advice: z.unknown().optional(),
});

/**
 * Steps are undocumented; GBG's sample backend reads `{nodeId, name, outcomeClassification, result{status, outcome,
 * error}, process{step{endedAt}}}`. Only the journey's decision node carries a classification on live runs.
 */
export const gbgV2StepSchema = z.looseObject({
  nodeId: optionalText,
  id: optionalText,
  name: optionalText,
  type: optionalText,
  outcome: optionalText,
  outcomeClassification: optionalText,
  result: lenient(
    z.looseObject({
      status: optionalText,
      outcome: optionalText,
      advice: z.unknown().optional(),
      error: z.unknown().optional(),
    }),
  ),
  process: lenient(z.looseObject({ step: lenient(z.looseObject({ endedAt: optionalText })) })),
});
type GbgStep = z.infer<typeof gbgV2StepSchema>;

export const gbgIdentitySchema = z.looseObject({
  firstName: optionalText,
  lastNames: lenient(z.array(z.string())),
  dateOfBirth: optionalText,
  currentAddress: lenient(z.record(z.string(), z.unknown())),
});

const gbgJourneySchema = z.looseObject({
  name: optionalText,
  id: optionalText,
  version,
  startedAt: optionalText,
  /** Documented, but never filled on real runs (GBG's sample backend): completion falls back to the steps. */
  endedAt: optionalText,
  durationMilliSec: lenient(z.number()),
});

/** Documented shape: `context.process.{journey, instance, steps}`, `context.subject`, `context.result`. */
export const gbgV2ContextSchema = z.looseObject({
  process: lenient(
    z.looseObject({
      journey: lenient(gbgJourneySchema),
      instance: lenient(z.looseObject({ id: optionalText, instanceId: optionalText })),
      steps: lenientList(gbgV2StepSchema),
    }),
  ),
  subject: lenient(z.looseObject({ identity: lenient(gbgIdentitySchema) })),
  /** `pending|completed|failed` documented, `complete` in the fixture: reported, never decides terminality. */
  result: lenient(gbgResultSchema),
});

/** SDK-spec shape (also GBG v1's API-reference shape): `metaData{createdTime, completedTime}` and optional `data`. */
export const gbgMetaDataSchema = z.looseObject({ createdTime: optionalText, completedTime: optionalText });

/**
 * Every shape seen: `status` is required; `context` (documented), `metaData`/`data` (SDK spec) and the top-level
 * `journey`/`steps`/`result` (read first by GBG's sample backend) are all optional.
 */
export const gbgV2StateSchema = z.looseObject({
  instanceId: optionalText,
  status: z.string(),
  journey: lenient(gbgJourneySchema),
  steps: lenientList(gbgV2StepSchema),
  result: lenient(gbgResultSchema),
  context: lenient(gbgV2ContextSchema),
  metaData: lenient(gbgMetaDataSchema),
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

/** A step's error as the provider's codes only (`result.error.errors[].error`/`code`): free text may echo input. */
export function stepErrorCodes(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return isCodeLike(error) ? error : 'error';
  const entries = isRecord(error) && Array.isArray(error.errors) ? error.errors : [error];
  const codes = entries.flatMap((e: unknown) => {
    if (!isRecord(e)) return [];
    return [e.error, e.code, e.name]
      .filter((v): v is string => typeof v === 'string' && isCodeLike(v))
      .slice(0, 2)
      .join(' ');
  });
  const text = codes.filter(Boolean).slice(0, 3).join('; ');
  return text || 'error';
}

export function gbgSteps(steps: readonly GbgStep[]): JourneyStep[] {
  return steps.map((step, i) =>
    compact({
      id: step.nodeId ?? step.id ?? `step-${i + 1}`,
      name: step.name ?? undefined,
      type: step.type ?? undefined,
      status: step.result?.status ?? undefined,
      outcome: step.result?.outcome ?? step.outcome ?? undefined,
      advice: adviceText(step.result?.advice),
      error: stepErrorCodes(step.result?.error),
    }),
  );
}

/** GBG's rule: `positive` passes, `negative` fails, anything else refers (undecided); none at all: undefined. */
export function classificationDecision(classification: string | null | undefined): JourneyDecision | undefined {
  if (!classification) return undefined;
  const key = classification.toLowerCase();
  return key === 'positive' ? 'accepted' : key === 'negative' ? 'rejected' : 'undecided';
}

/** Over the classified steps: any negative rejects, all positive accept, anything else refers; none: undefined. */
export function stepsDecision(steps: readonly GbgStep[]): JourneyDecision | undefined {
  const decisions = steps.map((s) => classificationDecision(s.outcomeClassification)).filter((d) => d !== undefined);
  if (decisions.length === 0) return undefined;
  if (decisions.includes('rejected')) return 'rejected';
  return decisions.every((d) => d === 'accepted') ? 'accepted' : 'undecided';
}

/**
 * The verdict as GBG's own client reaches it: the top-level `result.outcomeClassification`, then the steps'
 * classifications, then `context.result.outcomeClassification`. `result.status` says whether the journey ran, not
 * what it decided, so it never decides. Read whatever the status: GBG may classify while still `InProgress`.
 */
export function gbgDecision(state: GbgV2State, steps: readonly GbgStep[]): JourneyDecision {
  return (
    classificationDecision(state.result?.outcomeClassification) ??
    stepsDecision(steps) ??
    classificationDecision(state.context?.result?.outcomeClassification) ??
    'undecided'
  );
}

/** The latest `process.step.endedAt`: the completion time when `journey.endedAt` is empty, as on real runs. */
export function latestStepEnd(steps: readonly GbgStep[]): string | undefined {
  let latest: { at: string; ms: number } | undefined;
  for (const step of steps) {
    const at = present(step.process?.step?.endedAt);
    const ms = at ? Date.parse(at) : NaN;
    if (at && Number.isFinite(ms) && (!latest || ms > latest.ms)) latest = { at, ms };
  }
  return latest?.at;
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
  const status = mapStatus(PROVIDER, GBG_STATUSES, state.status, 'status');
  const terminal = isTerminal(status);
  // GBG's sample backend reads the top level first, then `context.process`.
  const journey = state.journey ?? state.context?.process?.journey;
  const steps = state.steps && state.steps.length > 0 ? state.steps : (state.context?.process?.steps ?? []);
  const normalisedSteps = gbgSteps(steps);
  const startedAt = present(journey?.startedAt) ?? present(state.metaData?.createdTime);
  const completedAt =
    present(journey?.endedAt) ??
    present(state.metaData?.completedTime) ??
    (terminal ? latestStepEnd(steps) : undefined);
  const journeyInfo = journey
    ? compact({
        name: journey.name ?? undefined,
        definitionId: journey.id ?? undefined,
        version: journey.version === null || journey.version === undefined ? undefined : String(journey.version),
      })
    : undefined;
  const lastOutcome = [...normalisedSteps].reverse().find((s) => s.outcome)?.outcome;
  return compact({
    provider: PROVIDER,
    journeyId: ctx.journeyId,
    status,
    terminal,
    providerStatus: state.status,
    decision: gbgDecision(state, steps),
    outcome: present(state.result?.outcome) ?? lastOutcome,
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
