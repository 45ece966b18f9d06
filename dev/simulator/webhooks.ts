/**
 * The webhooks each provider would send. GBG's Webhook module POSTs JSON (body undocumented: we send
 * `{instanceId, status, message}`) with HTTP Basic or an API-key header; IDnow sends an RS256 JWT (as an
 * `application/jwt` body or in `X-Idnow-Signature` with a JSON body), signed with the key its JWKS serves.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { signJwt, type SigningKey } from './jwt';

export type GbgWebhookAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'apiKey'; header: string; value: string }
  | { type: 'none' };

export interface WebhookOptions {
  provider: JourneyProvider;
  journeyId: string;
  /** The receiver's URL (e.g. http://127.0.0.1:8080/webhooks/idnow). */
  url: string;
  /** GBG: the status text (default `Completed`). IDnow: `payload.sessionStatus` (default `COMPLETED`). */
  status?: string;
  /** GBG only. Default none. */
  auth?: GbgWebhookAuth;
  /** IDnow only: JWT in the body (default, newer docs) or in the X-Idnow-Signature header. */
  delivery?: 'body' | 'header';
  eventId?: string;
  eventName?: string;
  /** IDnow `data.eventSequence` (sent as a string). Default 1. */
  eventSequence?: number;
  audience?: string;
  issuer?: string;
  environment?: string;
  /** Seconds until `exp`; negative for an already expired token. Default 300. */
  expiresInSec?: number;
  /** Sign with another key (not in the JWKS): a forged webhook. */
  signingKey?: SigningKey;
  /** Static custom headers (IDnow's alternative to the JWT). */
  headers?: Record<string, string>;
}

export interface WebhookResult {
  status: number;
  body: string;
  eventId: string;
}

export interface WebhookContext {
  key: SigningKey;
  issuer: string;
  now: () => number;
}

export function idnowWebhookClaims(
  options: WebhookOptions,
  ctx: WebhookContext,
  eventId: string,
): Record<string, unknown> {
  const iat = Math.floor(ctx.now() / 1000);
  const sessionStatus = options.status ?? 'COMPLETED';
  return {
    iss: options.issuer ?? ctx.issuer,
    aud: options.audience ?? 'journey-await',
    sub: eventId,
    iat,
    exp: iat + (options.expiresInSec ?? 300),
    data: {
      eventId,
      eventDeliverId: randomUUID(),
      eventName: options.eventName ?? `session.${sessionStatus.toLowerCase()}`,
      // Strings, as IDnow documents them.
      eventVersion: '1',
      eventSequence: String(options.eventSequence ?? 1),
      createdAt: new Date(ctx.now()).toISOString(),
      environment: options.environment ?? 'live',
      payload: {
        flowId: '0197c55f-5af6-7e3d-af9b-f2359b154be8',
        sessionId: options.journeyId,
        sessionStatus,
        lastStepId: sessionStatus === 'COMPLETED' ? 'step_end_001' : 'step_start_001',
        lastStepType: sessionStatus === 'COMPLETED' ? 'END' : 'START',
        lastStepStatus: sessionStatus === 'COMPLETED' ? 'completed' : 'running',
      },
    },
  };
}

export async function sendWebhook(options: WebhookOptions, ctx: WebhookContext): Promise<WebhookResult> {
  const eventId = options.eventId ?? randomUUID();
  const headers: Record<string, string> = { ...options.headers };
  let body: string;
  if (options.provider === 'idnow') {
    const claims = idnowWebhookClaims(options, ctx, eventId);
    const jwt = await signJwt(options.signingKey ?? ctx.key, claims);
    if (options.delivery === 'header') {
      headers['content-type'] = 'application/json';
      headers['x-idnow-signature'] = jwt;
      body = JSON.stringify(claims.data);
    } else {
      headers['content-type'] = 'application/jwt';
      body = jwt;
    }
  } else {
    headers['content-type'] = 'application/json';
    const auth = options.auth ?? { type: 'none' };
    if (auth.type === 'basic')
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (auth.type === 'apiKey') headers[auth.header.toLowerCase()] = auth.value;
    body = JSON.stringify({
      instanceId: options.journeyId,
      status: options.status ?? 'Completed',
      message: 'Journey reached the webhook module',
    });
  }
  const res = await request(options.url, {
    method: 'POST',
    headers,
    body,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  return { status: res.statusCode, body: await res.body.text(), eventId };
}
