/**
 * Reading a webhook's body: every content type as text within the limit (parsed after authentication), and the
 * payload an adapter parses. An oversized body is read and discarded up to a bound before its 413 goes out: a
 * server that answers while the client is still sending, then closes, resets the connection under the client,
 * which then sees a broken pipe instead of the 413.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { headerValue } from '../headers';
import { parseJsonOrThrow } from '../json';
import type { ProviderAdapter } from '../providers/adapter';
import { decodeUnverified } from './auth';
import { HttpError } from './errors';
import { shared, stateOf } from './request-state';

/** Bodies up to this many times the limit are read to their end before the 413; larger ones are cut off. */
export const DISCARD_FACTOR = 4;

export const textBodies = shared(async (app: FastifyInstance, { bodyLimit }: { bodyLimit: number }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
});

/**
 * Reads what is left of an oversized body and throws it away; resolves when the body has ended, when `bound`
 * bytes were discarded, or when the request is gone. Fastify stops listening at the limit (or never starts, when
 * Content-Length is over it), so the stream is resumed here.
 */
export function discardRest(raw: IncomingMessage, bound: number): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  const declared = Number(raw.headers['content-length']);
  if (declared > bound) return Promise.resolve();
  return new Promise((resolve) => {
    let discarded = 0;
    const done = () => {
      raw.off('data', onData).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > bound) done();
    };
    raw.on('data', onData).once('end', done).once('close', done).once('error', done);
    raw.resume();
  });
}

function isJwtContentType(req: FastifyRequest): boolean {
  return /^application\/jwt\b/i.test(headerValue(req.headers, 'content-type') ?? '');
}

/** The JWT an `application/jwt` body carries, for a signed-jwt provider (undefined: the body is something else). */
export function bodyJwt(adapter: ProviderAdapter, req: FastifyRequest): string | undefined {
  if (adapter.webhook.auth.scheme !== 'signed-jwt' || !isJwtContentType(req)) return undefined;
  return String(req.body ?? '').trim();
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  return parseJsonOrThrow(text, () => new HttpError('invalid_json', 'the body is not valid JSON'));
}

/**
 * The payload the adapter parses: the verified claims, the claims of an application/jwt body whose sender a
 * static header authenticated (the JWT itself is then not verified), or else the JSON body. A shared-secret
 * provider's body is read as JSON whatever its Content-Type claims: its credentials are in the headers, and GBG
 * does not document the type it sends.
 */
export async function payloadOf(adapter: ProviderAdapter, req: FastifyRequest): Promise<unknown> {
  const s = stateOf(req);
  if (s.claims) return s.claims;
  const jwt = bodyJwt(adapter, req);
  if (jwt !== undefined) {
    const claims = await decodeUnverified(jwt);
    if (!claims) throw new HttpError('invalid_jwt', 'the application/jwt body is not a JWT');
    return claims;
  }
  return parseJson(req.body as string | undefined);
}
