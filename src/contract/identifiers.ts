/**
 * The identifier rules, each defined once: what a journey id and an environment may be, how a journey id is
 * shortened for display, and the workflow id of a journey. Used by the client, the CLI, the webhook receiver, the
 * adapters and the workflow. Pure and free of dependencies.
 *
 * - journeyId: 16–64 characters of `A–Z a–z 0–9 _ -`. GBG instance ids are 16–64 characters (GBG's SDK spec;
 *   v1 shows 24-character and UUID ids), IDnow session ids are UUIDs (36). No `:` (the workflow id is
 *   `journey:<provider>:<journeyId>`), no `/`, `?`, `%` or spaces (it is also a URL path segment).
 * - environment: `[a-z0-9-]`, 1–32 characters (IDnow `live`/`staging`); for the GBG providers, one of
 *   GBG_REGIONS (any other region fails at its first fetch, so it is refused before start).
 */
import type { JourneyProvider } from './vocabulary';

export const JOURNEY_ID_MIN_LENGTH = 16;
export const JOURNEY_ID_MAX_LENGTH = 64;
const JOURNEY_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const ENVIRONMENT_PATTERN = /^[a-z0-9-]{1,32}$/;
/** GBG GO's regions: the `environment` of a GBG journey, and GBG_REGION. */
export const GBG_REGIONS = ['eu', 'us', 'au'] as const;

/** Why `journeyId` breaks the rule, or undefined when it is fine. */
export function journeyIdProblem(journeyId: unknown): string | undefined {
  if (typeof journeyId !== 'string') return 'must be a string';
  if (journeyId.length < JOURNEY_ID_MIN_LENGTH || journeyId.length > JOURNEY_ID_MAX_LENGTH) {
    return `must be ${JOURNEY_ID_MIN_LENGTH}–${JOURNEY_ID_MAX_LENGTH} characters`;
  }
  if (!JOURNEY_ID_PATTERN.test(journeyId)) return 'may contain only letters, digits, "_" and "-"';
  return undefined;
}

/** Why `environment` breaks the rule (of `provider`'s journeys, when given), or undefined when it is fine. */
export function environmentProblem(environment: unknown, provider?: JourneyProvider): string | undefined {
  if (typeof environment !== 'string' || !ENVIRONMENT_PATTERN.test(environment))
    return 'must be 1–32 characters of a–z, 0–9 and "-" (e.g. live, staging, eu)';
  const gbg = provider === 'gbg-go-v2' || provider === 'gbg-go-v1';
  if (gbg && !(GBG_REGIONS as readonly string[]).includes(environment))
    return `must be a GBG region: one of ${GBG_REGIONS.join(', ')}`;
  return undefined;
}

/** `Pq_hh…`: enough to recognise a journey in a list or a failure, without printing a whole provider token. */
export function shortJourneyId(journeyId: string): string {
  return journeyId.length > 6 ? `${journeyId.slice(0, 5)}…` : journeyId;
}

/** `journey:<provider>:<journeyId>`: one workflow execution per journey, so starting is idempotent. */
export function journeyWorkflowId(provider: JourneyProvider, journeyId: string): string {
  return `journey:${provider}:${journeyId}`;
}

/** The parts of a `journey:<provider>:<journeyId>` workflow id (the provider is not checked here). */
export function parseJourneyWorkflowId(workflowId: string): { provider: string; journeyId: string } | undefined {
  const m = /^journey:([^:]+):(.+)$/.exec(workflowId);
  return m ? { provider: m[1]!, journeyId: m[2]! } : undefined;
}
