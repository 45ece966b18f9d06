/**
 * Who may call the codec server, one of three modes (CODEC_SERVER_AUTH):
 *
 * - `oidc` (production): `Authorization: Bearer <access token>`, a JWT verified against the identity provider's
 *   JWKS with its issuer, audience and expiry checked. The Web UI, with its own OIDC login and
 *   TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true, sends the operator's token; a visitor who has none decodes nothing.
 * - `token` (opt-in, a single-user local stack): a static `Authorization: Bearer <token>` header, for the CLI and
 *   scripts. Never in a path: the UI publishes its codec endpoint to every visitor (GET /api/v1/settings).
 * - `loopback` (`npm start`): the Web UI cannot add a header of its own, so no credential is asked, and only a
 *   loopback peer that names a loopback host is answered (a rebound DNS name is refused), from an allowed
 *   browser origin or none. Anyone who can run a program on this machine can decode: a single-user stack only.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { bearerToken, headerValue } from '../headers';
import { sameSecret } from '../secrets';

export interface OidcAccessConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export type CodecAccessConfig =
  { mode: 'oidc'; oidc: OidcAccessConfig } | { mode: 'token'; token: string } | { mode: 'loopback' };

/** Resolves when the request may use the codec; otherwise a reason for the log (never the credential). */
export type CodecAccess = (req: FastifyRequest) => Promise<string | undefined>;

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<Jose> | undefined;
const loadJose = () => (josePromise ??= import('jose'));

/** Signature algorithms an identity provider signs access tokens with; never `none` or an HMAC. */
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function oidcAccess({ jwksUrl, issuer, audience }: OidcAccessConfig): CodecAccess {
  let jwks: Promise<JWTVerifyGetKey> | undefined;
  const keys = () =>
    (jwks ??= loadJose().then((jose) =>
      jose.createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
    ));
  return async (req) => {
    const token = bearerToken(req.headers);
    if (!token) return 'no bearer token';
    const jose = await loadJose();
    try {
      await jose.jwtVerify(token, await keys(), {
        issuer,
        audience,
        algorithms: JWT_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: 30,
      });
      return undefined;
    } catch (err) {
      return `access token rejected (${err instanceof jose.errors.JOSEError ? err.code : 'invalid'})`;
    }
  };
}

function tokenAccess(token: string): CodecAccess {
  return async (req) => (sameSecret(bearerToken(req.headers), token) ? undefined : 'missing or wrong bearer token');
}

const isLoopbackAddress = (address: string | undefined) =>
  address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/** `localhost`, `127.x.x.x` or `[::1]`, with any port: what a browser sends for a loopback URL. */
function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || (isIP(name) !== 0 && isLoopbackAddress(name));
}

function loopbackAccess(allowedOrigins: readonly string[]): CodecAccess {
  return async (req) => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return 'not a loopback peer';
    if (!isLoopbackHost(headerValue(req.headers, 'host'))) return 'not a loopback host name';
    const origin = headerValue(req.headers, 'origin');
    if (origin !== undefined && !allowedOrigins.includes(origin)) return 'origin not allowed';
    return undefined;
  };
}

export function createCodecAccess(config: CodecAccessConfig, allowedOrigins: readonly string[]): CodecAccess {
  if (config.mode === 'oidc') return oidcAccess(config.oidc);
  if (config.mode === 'token') {
    if (!config.token) throw new Error('codec server token mode needs a token');
    return tokenAccess(config.token);
  }
  return loopbackAccess(allowedOrigins);
}

export { isLoopbackHost };
