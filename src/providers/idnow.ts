/**
 * IDnow Trust Platform (`idnow`): session schema (both `lastStep` shapes, `outcome` in either case), the three
 * documented data-block list shapes (PROVIDERS.md §4), and the pure normalisers.
 */
import { z } from 'zod';
import { isTerminal, type JourneyDecision, type JourneyState, type JourneyStep, type JourneySubject } from '../journey';
import { parseOrThrow, ProviderResponseError } from './errors';
import { mapStatus, statusKey, type StatusTable } from './status';
import { compact, durationBetween, isRecord, present, type NormaliseContext } from './util';

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
    version: session.flowVersion === null || session.flowVersion === undefined ? undefined : String(session.flowVersion),
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
    results: results.length > 0 ? Object.fromEntries(results.map(([name, ref]) => [name, { dataBlockId: ref.id }])) : undefined,
    source: ctx.source ?? 'poll',
    observedAt: ctx.observedAt,
  });
}

/**
 * One data block in any documented shape: (A) `datablockId` + `createdBy` + `content`, (B) `lastStep` + flat fields,
 * (C) `createdByStep` + flat fields and no id at all. Identity is in the `basicIdentity` block (`givenName`,
 * `familyName`, `birthDate`), in its `content` or flat.
 */
export const idnowDataBlockSchema = z.looseObject({
  datablockId: optionalString,
  dataBlockId: optionalString,
  id: optionalString,
  type: optionalString,
  status: optionalString,
  createdAt: optionalString,
  createdBy: z.looseObject({ stepId: optionalString, clock: z.unknown().optional() }).nullish(),
  createdByStep: z.unknown().optional(),
  lastStep: z.looseObject({ stepId: optionalString }).nullish(),
  content: z.record(z.string(), z.unknown()).nullish(),
});
type IdnowDataBlock = z.infer<typeof idnowDataBlockSchema>;

/** `dataBlocks[]` (shapes A and B) or `datablocks[]` (shape C). */
export const idnowDataBlocksSchema = z.looseObject({
  dataBlocks: z.array(idnowDataBlockSchema).nullish(),
  datablocks: z.array(idnowDataBlockSchema).nullish(),
});

export interface IdnowDataBlocks {
  /** Keyed by the block type in camelCase (`DocumentVerification` → `documentVerification`); blocks with an id only. */
  results: Record<string, { dataBlockId: string }>;
  /** Identity fields found in the blocks (PII), when any. */
  subject?: JourneySubject;
}

function camel(type: string): string {
  return type.length > 0 ? type[0]!.toLowerCase() + type.slice(1) : type;
}

function firstString(fields: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = fields[n];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function subjectFrom(fields: Record<string, unknown>): JourneySubject {
  if (isRecord(fields.basicIdentity)) return subjectFrom(fields.basicIdentity);
  const lastNamesValue = fields.lastNames;
  const single = firstString(fields, 'lastName', 'familyName', 'surname');
  const lastNames =
    Array.isArray(lastNamesValue) && lastNamesValue.every((x) => typeof x === 'string')
      ? (lastNamesValue as string[])
      : single
        ? [single]
        : undefined;
  const address = fields.address;
  return compact({
    firstName: firstString(fields, 'firstName', 'givenName', 'givenNames'),
    lastNames,
    dateOfBirth: firstString(fields, 'dateOfBirth', 'birthDate'),
    address: isRecord(address) ? address : undefined,
  });
}

const isBasicIdentity = (block: IdnowDataBlock) => !!block.type && statusKey(block.type) === 'basicidentity';

export function normaliseIdnowDataBlocks(body: unknown): IdnowDataBlocks {
  const parsed = parseOrThrow(PROVIDER, idnowDataBlocksSchema, body);
  const blocks = parsed.dataBlocks ?? parsed.datablocks;
  if (!blocks) throw new ProviderResponseError(PROVIDER, 'dataBlocks', 'missing (neither dataBlocks nor datablocks is present)');
  const stored = blocks.filter((block) => !(block.status && statusKey(block.status) === 'deleted'));
  const results: Record<string, { dataBlockId: string }> = {};
  for (const block of stored) {
    const id = block.datablockId ?? block.dataBlockId ?? block.id;
    if (id && block.type) results[camel(block.type)] = { dataBlockId: id };
  }
  // The basicIdentity block is the identity; other blocks (document data) only fill what it lacks.
  let subject: JourneySubject = {};
  for (const block of [...stored.filter(isBasicIdentity), ...stored.filter((b) => !isBasicIdentity(b))]) {
    subject = { ...subjectFrom(block.content ?? block), ...subject };
  }
  return compact({ results, subject: Object.keys(subject).length > 0 ? subject : undefined });
}
