/** What the client library throws, and how a Temporal failure is told apart from a journey failure. */
import { isGrpcServiceError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';

/** No workflow for this journey (never started, or its retention has expired). */
export class JourneyNotFoundError extends Error {
  override readonly name = 'JourneyNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no journey workflow ${workflowId}`);
  }
}

/** The journey's workflow failed, was cancelled, terminated or timed out (no final JourneyState). */
export class JourneyWorkflowFailedError extends Error {
  override readonly name = 'JourneyWorkflowFailedError';
  constructor(
    readonly workflowId: string,
    /** The ApplicationFailure type (e.g. JourneyPollingExhausted, JourneyRejectedByProvider), when there is one. */
    readonly failureType: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Temporal could not be reached (or did not answer in time). Retrying later is safe. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/**
 * Temporal refused this client (gRPC UNAUTHENTICATED or PERMISSION_DENIED): a wrong or expired API key, a client
 * certificate it does not accept, or no permission on the namespace. A configuration problem, not an outage.
 */
export class TemporalAccessDeniedError extends Error {
  override readonly name = 'TemporalAccessDeniedError';
}

/** `awaitJourneyResult` stopped waiting (its timeout or abort signal); the journey keeps running. */
export class AwaitTimeoutError extends Error {
  override readonly name = 'AwaitTimeoutError';
}

/** gRPC status codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14. */
const UNAVAILABLE_CODES = new Set<number>([1, 4, 8, 14]);
/** gRPC status codes: PERMISSION_DENIED 7, UNAUTHENTICATED 16. */
const ACCESS_DENIED_CODES = new Set<number>([7, 16]);

/** The error and its causes, outermost first (the SDK wraps a gRPC error in its own). */
function* causeChain(err: unknown): Generator<unknown> {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

function isAccessDenied(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (e instanceof TemporalAccessDeniedError) return true;
    if (isGrpcServiceError(e) && ACCESS_DENIED_CODES.has(e.code)) return true;
  }
  return false;
}

/** True when an error means "Temporal is unreachable or overloaded right now", not "this request is wrong". */
export function isTemporalUnavailable(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (e instanceof TemporalUnavailableError) return true;
    if (isGrpcServiceError(e) && UNAVAILABLE_CODES.has(e.code)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code))
      return true;
    if (
      e instanceof Error &&
      /Failed to connect before the deadline|No connection established|connect ECONNREFUSED/i.test(e.message)
    )
      return true;
  }
  return false;
}

/**
 * Rethrows Temporal's connection failures as a TemporalUnavailableError, and its refusals as a
 * TemporalAccessDeniedError, each with a message free of internals.
 */
export function rethrowTemporalError(err: unknown): never {
  if (isAccessDenied(err))
    throw new TemporalAccessDeniedError(
      'Temporal refused the credentials (check TEMPORAL_API_KEY, the TLS client certificate, or the permissions on the namespace)',
      { cause: err },
    );
  if (isTemporalUnavailable(err))
    throw new TemporalUnavailableError(
      'Temporal is unreachable (check TEMPORAL_ADDRESS or the temporal.toml profile)',
      { cause: err },
    );
  throw err;
}

/** Why a workflow failed: the ApplicationFailure beneath activity or child failures, as type and message. */
export function failureOf(err: unknown): { type?: string; message: string } {
  let cause: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  while (cause instanceof TemporalFailure && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure)
    return { ...(cause.type ? { type: cause.type } : {}), message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { message: String(cause) };
}
