/**
 * The webhook receiver's errors, in one catalogue (authentication, the JWKS, the HTTP errors it answers with): one table from error code to HTTP status, one reply shape `{ error, message }`,
 * for the app's own errors, Fastify's framework errors (bad URL, 414 over-long path parameter) and Node's client
 * errors (request timeout, header overflow, malformed HTTP). Messages are fixed texts: nothing of the request
 * (path, headers, body) is echoed back.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTemporalUnavailable, TemporalAccessDeniedError } from '../client';
import { InvalidJourneyInputError } from '../contract/errors';
import { WebhookBodyError } from '../providers/adapter';

/** Every error code the receiver answers with, and its status: the one place a status is chosen. */
export const ERROR_STATUS = {
  bad_request: 400,
  bad_url: 400,
  invalid_body: 400,
  invalid_input: 400,
  invalid_journey_id: 400,
  invalid_json: 400,
  invalid_jwt: 400,
  journey_id_mismatch: 400,
  missing_journey_id: 400,
  unauthorized: 401,
  not_found: 404,
  request_timeout: 408,
  body_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

/** Why a request was refused; never includes the presented credentials. */
export class WebhookAuthError extends Error {
  override readonly name = 'WebhookAuthError';
}

/** The JWKS could not be fetched: not the sender's fault, so the receiver answers 503 and the provider retries. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
}

/** An error the receiver answers as it is: the status comes from ERROR_STATUS. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** How a failed request is answered, and what the access log and the operator's log say about it. */
export interface Refusal {
  body: ErrorBody;
  /** The access log's `reason` (finer than the code: `temporal_unavailable`, `jwks_unavailable`, …). */
  reason: string;
  headers?: Record<string, string>;
  log?: { level: 'warn' | 'error'; message: string };
}

/** A refusal's status, from the table. */
export const statusOf = (refusal: Refusal): number => ERROR_STATUS[refusal.body.error];

const refusal = (error: ErrorCode, message: string, extra: Partial<Refusal> = {}): Refusal => ({
  body: { error, message },
  reason: error,
  ...extra,
});

/**
 * What to answer for any error a webhook request ends in. `bodyLimit` is for the 413's message; `shared-secret`
 * providers get a Basic challenge with their 401.
 */
export function refusalFor(err: unknown, context: { bodyLimit: number; basicChallenge: boolean }): Refusal {
  if (err instanceof HttpError) return refusal(err.code, err.message);
  if (err instanceof WebhookAuthError)
    // Answered before the body is read: close the connection rather than wait for the rest of the body.
    return refusal('unauthorized', 'missing or invalid webhook credentials', {
      headers: context.basicChallenge
        ? { connection: 'close', 'www-authenticate': 'Basic realm="journey-await webhooks"' }
        : { connection: 'close' },
      log: { level: 'warn', message: `webhook rejected: ${err.message}` },
    });
  if (err instanceof JwksUnavailableError)
    return refusal('unavailable', 'cannot verify the webhook right now; retry later', {
      reason: 'jwks_unavailable',
      headers: { 'retry-after': '10' },
      log: { level: 'error', message: `JWKS unavailable: ${err.message}` },
    });
  // Either way the provider should retry: an operator can fix the credentials while it does.
  if (err instanceof TemporalAccessDeniedError || isTemporalUnavailable(err)) {
    const denied = err instanceof TemporalAccessDeniedError;
    return refusal('unavailable', 'the webhook could not be recorded; retry later', {
      reason: denied ? 'temporal_access_denied' : 'temporal_unavailable',
      headers: { 'retry-after': '5' },
      log: { level: 'error', message: `${denied ? err.message : 'Temporal unavailable'}; webhook refused with 503` },
    });
  }
  if (err instanceof WebhookBodyError) return refusal('invalid_body', err.message);
  if (err instanceof InvalidJourneyInputError) return refusal('invalid_input', err.message);
  const { code, statusCode } = err as { code?: string; statusCode?: number };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return refusal('body_too_large', `the body exceeds ${context.bodyLimit} bytes`, {
      headers: { connection: 'close' },
    });
  if (statusCode && statusCode >= 400 && statusCode < 500)
    return refusal('bad_request', 'the request could not be read', { reason: code ?? 'bad_request' });
  return refusal('internal', 'internal error', {
    log: { level: 'error', message: `webhook handler failed: ${(err as Error)?.name ?? typeof err}` },
  });
}

const FRAMEWORK_ERRORS: Record<string, Refusal> = {
  FST_ERR_MAX_PARAM_LENGTH: refusal(
    'uri_too_long',
    'a path segment is too long (journey ids are at most 64 characters)',
  ),
  FST_ERR_BAD_URL: refusal('bad_url', 'the URL is malformed'),
};
const BAD_REQUEST = refusal('bad_request', 'the request could not be read');

/** Fastify's `frameworkErrors`: errors raised before routing, answered in the app's shape. */
export function frameworkErrorReply(
  err: Error & { code?: string },
  _req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const known = FRAMEWORK_ERRORS[err.code ?? ''] ?? BAD_REQUEST;
  return reply.code(statusOf(known)).send(known.body);
}

const CLIENT_ERRORS: Record<string, Refusal> = {
  ERR_HTTP_REQUEST_TIMEOUT: refusal('request_timeout', 'the request was not received in time'),
  HPE_HEADER_OVERFLOW: refusal('headers_too_large', 'the request headers are too large'),
};

/**
 * Node's `clientError` (before or outside a Fastify request): write the JSON reply if the socket still takes it,
 * then close the connection, so a slow or broken client never keeps it.
 */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const known = CLIENT_ERRORS[err.code ?? ''] ?? BAD_REQUEST;
    const status = statusOf(known);
    const text = JSON.stringify(known.body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}
