/**
 * The HTTP client of fetchState: one pooled keep-alive undici Agent, connect/headers/body timeouts,
 * a cap on body size, and abort on activity cancellation.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { HttpRequestSpec } from '../providers/adapter';
import { FETCH_TOTAL_TIMEOUT_MS } from '../contract/workflow';

export interface HttpOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Upper bound for the whole exchange (token + state), in case the activity's own timeout is longer. */
  totalTimeoutMs: number;
  maxBodyBytes: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  connectTimeoutMs: 3_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  totalTimeoutMs: FETCH_TOTAL_TIMEOUT_MS,
  maxBodyBytes: 1_048_576,
};

/** Pooled, keep-alive agent for the provider hosts. The worker makes one and passes it to createActivities. */
export function createProviderAgent(options: Partial<HttpOptions> & { connections?: number } = {}): Agent {
  const o = { ...DEFAULT_HTTP_OPTIONS, ...options };
  return new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connect: { timeout: o.connectTimeoutMs },
    headersTimeout: o.headersTimeoutMs,
    bodyTimeout: o.bodyTimeoutMs,
  });
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Network-level failure (timeout, refused, reset, too large): no HTTP status. Message holds no request data. */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const TRANSPORT_MESSAGES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'timeout reading response body',
  UND_ERR_SOCKET: 'connection closed by the provider',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
};

function describe(err: unknown): HttpTransportError {
  const code = String(
    (err as { code?: unknown })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code ?? 'UNKNOWN',
  );
  return new HttpTransportError(TRANSPORT_MESSAGES[code] ?? `network error (${code})`, code);
}

export async function sendRequest(
  dispatcher: Dispatcher,
  spec: HttpRequestSpec,
  options: Pick<HttpOptions, 'headersTimeoutMs' | 'bodyTimeoutMs' | 'maxBodyBytes'> & { signal: AbortSignal },
): Promise<HttpResponse> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(spec.url, {
      dispatcher,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      signal: options.signal,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
  } catch (err) {
    if (options.signal.aborted) throw options.signal.reason;
    throw describe(err);
  }
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > options.maxBodyBytes) {
        res.body.destroy();
        throw new HttpTransportError(`response body larger than ${options.maxBodyBytes} bytes`, 'BODY_TOO_LARGE');
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    if (err instanceof HttpTransportError) throw err;
    if (options.signal.aborted) throw options.signal.reason;
    throw describe(err);
  }
}

/**
 * The longest wait a provider's Retry-After can ask for. Longer asks (a day, a date years ahead) are a provider's
 * or proxy's mistake, and would park a journey that long; the error budget still ends a provider that keeps asking.
 * Ten minutes is also the longest error backoff a journey's own polling policy may set.
 */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Retry-After as milliseconds from now (delta-seconds or an HTTP date), at most MAX_RETRY_AFTER_MS. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const ms = delayOf(value.trim(), now);
  return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** NaN when the value is neither form. */
function delayOf(value: string, now: number): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date starts with the day's name; Date.parse alone would also take `-5` or `2030`.
  return /^[A-Za-z]/.test(value) ? Date.parse(value) - now : NaN;
}
