/**
 * The normalised, provider-neutral journey state that every provider adapter produces and the workflow returns,
 * as zod schemas. Workflow code imports only its types; the schemas run in activities, clients and tests.
 */
import { z } from 'zod';
import { DECISIONS, JOURNEY_SOURCES, JOURNEY_STATUSES, PROVIDERS, type JourneyProvider } from './vocabulary';

export const providerSchema = z.enum(PROVIDERS);
export const journeyStatusSchema = z.enum(JOURNEY_STATUSES);
export const journeySourceSchema = z.enum(JOURNEY_SOURCES);
export const decisionSchema = z.enum(DECISIONS);

export const journeyStepSchema = z.object({
  id: z.string(),
  type: z.string().optional(),
  status: z.string().optional(),
  outcome: z.string().optional(),
  advice: z.string().optional(),
  /** The step's (module's) name, e.g. "Document Classification". Never PII. */
  name: z.string().optional(),
  /** Why the step could not run: the provider's error codes only, never its free text (see docs/providers.md). */
  error: z.string().optional(),
});
export type JourneyStep = z.infer<typeof journeyStepSchema>;

/** Identity data collected by the journey: PII. Never log it, never put it in search attributes or summaries. */
export const journeySubjectSchema = z.object({
  firstName: z.string().optional(),
  lastNames: z.array(z.string()).optional(),
  dateOfBirth: z.string().optional(),
  address: z.record(z.string(), z.unknown()).optional(),
});
export type JourneySubject = z.infer<typeof journeySubjectSchema>;

/**
 * Why a completed journey's subject is missing although it was asked for (optional data such as data blocks): the
 * status and decision are still returned. `fetch_failed` after bounded retries, `unreadable` for a body no shape matches.
 */
export const subjectUnavailableSchema = z.object({
  reason: z.enum(['fetch_failed', 'unreadable']),
  /** What went wrong (HTTP status, error code, field path); never a body, a token or PII. */
  message: z.string(),
  attempts: z.number().int().positive(),
  httpStatus: z.number().int().optional(),
});
export type SubjectUnavailable = z.infer<typeof subjectUnavailableSchema>;

export const journeyStateSchema = z.object({
  provider: providerSchema,
  journeyId: z.string().min(1),
  status: journeyStatusSchema,
  terminal: z.boolean(),
  providerStatus: z.string(),
  /** What the provider has decided so far. Final only once `terminal`; a provider may decide while still in progress. */
  decision: decisionSchema,
  outcome: z.string().optional(),
  journey: z
    .object({ name: z.string().optional(), definitionId: z.string().optional(), version: z.string().optional() })
    .optional(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  durationMs: z.number().optional(),
  steps: z.array(journeyStepSchema),
  subject: journeySubjectSchema.optional(),
  results: z.record(z.string(), z.object({ dataBlockId: z.string() })).optional(),
  subjectUnavailable: subjectUnavailableSchema.optional(),
  source: journeySourceSchema,
  observedAt: z.string(),
});
export type JourneyState = z.infer<typeof journeyStateSchema>;

/**
 * An in-progress poll as history records it: what the workflow's next decision and an operator need, no more.
 * `decision` only once the provider has decided (GBG can decide before the journey ends); the workflow fills in
 * `terminal: false`, `decision: 'undecided'`, the time and the journey's identity.
 */
export type InProgressPoll = Pick<JourneyState, 'status' | 'providerStatus'> & Partial<Pick<JourneyState, 'decision'>>;

/**
 * What `fetchState` returns, and so what each poll records in history (every 10 s, for hours): the full state
 * once the journey is over, an InProgressPoll before that. The workflow fills in the rest from its input.
 */
export type JourneyPoll = JourneyState | InProgressPoll;

/** The arguments of the `fetchState` activity. */
export interface FetchStateInput {
  provider: JourneyProvider;
  journeyId: string;
  /** IDnow environment (`live`, `staging`); GBG region (`eu`, `us`, `au`) when not the configured default. */
  environment?: string;
}
