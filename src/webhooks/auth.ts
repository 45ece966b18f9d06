/**
 * Webhook authentication, by scheme (each adapter names its scheme). Shared secret: HTTP Basic or an API key in a
 * configured header, compared in constant time (`sameSecret`: neither content nor length leaks). Signed JWT: an RS256 JWT verified against the configured JWKS (cached by jose; an unknown `kid` triggers one refetch, rate
 * limited by a cooldown) with `exp`, `iss` and `aud` checked, or a static custom header.
 */
import { headerValue, type HeaderRecord } from '../headers';
import { sameSecret } from '../secrets';
import type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import type { GbgWebhookAuthConfig, IdnowWebhookAuthConfig } from '../config';
import { JwksUnavailableError, WebhookAuthError } from './errors';

/** The settings of each scheme (the configuration module names them after the vendors that use them). */
export type SharedSecretConfig = GbgWebhookAuthConfig;
export type SignedJwtConfig = IdnowWebhookAuthConfig;

/** Throws WebhookAuthError unless the request carries the configured Basic credentials or API key. */
export function verifySharedSecret(headers: HeaderRecord, config: SharedSecretConfig | undefined): string {
  if (!config || (!config.basic && !config.apiKey))
    throw new WebhookAuthError('no shared-secret authentication is configured');
  if (config.apiKey) {
    const presented = headerValue(headers, config.apiKey.header);
    if (sameSecret(presented, config.apiKey.value)) return 'api-key';
  }
  if (config.basic) {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headerValue(headers, 'authorization') ?? '');
    if (m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const user = i >= 0 ? decoded.slice(0, i) : decoded;
      const password = i >= 0 ? decoded.slice(i + 1) : '';
      // Both compared, always: no early exit that would tell a right user from a wrong one.
      const okUser = sameSecret(user, config.basic.username);
      const okPassword = sameSecret(password, config.basic.password);
      if (okUser && okPassword) return 'basic';
    }
  }
  throw new WebhookAuthError('missing or wrong shared-secret webhook credentials');
}

export interface JwtVerifier {
  /** Verifies a JWT (signature by `kid` from the JWKS, RS256, exp/iss/aud); returns its claims. */
  verifyJwt(token: string): Promise<JWTPayload>;
  /** True when the configured static header is present with the right value. */
  staticHeaderOk(headers: HeaderRecord): boolean;
  jwtConfigured: boolean;
  staticConfigured: boolean;
}

// jose is ESM-only: loaded once with a dynamic import from this CommonJS package.
type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<Jose> | undefined;
const loadJose = () => (josePromise ??= import('jose'));

export function createJwtVerifier(
  config: SignedJwtConfig | undefined,
  options: { clockToleranceSec?: number } = {},
): JwtVerifier {
  const jwt = config?.jwt;
  // One remote JWKS per receiver: cached by jose, refetched (at most every 30 s) when an unknown kid shows up.
  let jwksPromise: Promise<ReturnType<Jose['createRemoteJWKSet']>> | undefined;
  const jwks = () =>
    (jwksPromise ??= loadJose().then((jose) =>
      jose.createRemoteJWKSet(new URL(jwt!.jwksUrl), {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      }),
    ));
  return {
    jwtConfigured: !!jwt,
    staticConfigured: !!config?.staticHeader,
    async verifyJwt(token) {
      if (!jwt) throw new WebhookAuthError('JWT verification is not configured');
      const jose = await loadJose();
      const joseErrors = jose.errors;
      try {
        const { payload } = await jose.jwtVerify(token, await jwks(), {
          issuer: jwt.issuer,
          audience: jwt.audience,
          algorithms: ['RS256'],
          requiredClaims: ['exp'],
          clockTolerance: options.clockToleranceSec ?? 30,
        });
        return payload;
      } catch (err) {
        if (err instanceof joseErrors.JWKSTimeout || (err instanceof Error && !(err instanceof joseErrors.JOSEError))) {
          throw new JwksUnavailableError('the JWKS could not be fetched', { cause: err });
        }
        // jose reports a non-200 JWKS response as a generic JOSEError.
        if (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
          throw new JwksUnavailableError('the JWKS could not be fetched', { cause: err });
        if (err instanceof joseErrors.JWKSInvalid)
          throw new JwksUnavailableError('the JWKS is invalid', { cause: err });
        const code = err instanceof joseErrors.JOSEError ? err.code : 'ERR_JWT_INVALID';
        throw new WebhookAuthError(
          `JWT rejected (${code}${err instanceof joseErrors.JWTClaimValidationFailed ? ` ${err.claim}` : ''})`,
        );
      }
    },
    staticHeaderOk(headers) {
      const h = config?.staticHeader;
      if (!h) return false;
      const presented = headerValue(headers, h.name);
      return sameSecret(presented, h.value);
    },
  };
}

/** Claims of a JWT whose sender was authenticated another way (static header); no signature check. */
export async function decodeUnverified(token: string): Promise<JWTPayload | undefined> {
  try {
    return (await loadJose()).decodeJwt(token);
  } catch {
    return undefined;
  }
}
