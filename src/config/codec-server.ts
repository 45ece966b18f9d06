/** Settings of the codec server (`npm run codec-server`): the keys, who may call it (CODEC_SERVER_AUTH), CORS. */
import { z } from 'zod';
import type { CodecAccessConfig } from '../codec/access';
import type { CodecKey } from '../codec/encryption-codec';
import { loadCodecKeys } from './encryption';
import { EnvReader, httpUrl, port, type Env, type Parsed } from './env';
import { ConfigError } from './errors';

export const DEFAULT_CODEC_SERVER_HOST = '127.0.0.1';
export const DEFAULT_CODEC_SERVER_PORT = 8888;
/** The Temporal Web UI of a local dev server. */
export const DEFAULT_CODEC_SERVER_ALLOWED_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
export const CODEC_SERVER_AUTH_MODES = ['oidc', 'token', 'loopback'] as const;

export interface CodecServerSettings {
  keys: CodecKey[];
  access: CodecAccessConfig;
  host: string;
  port: number;
  allowedOrigins: string[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * CODEC_SERVER_AUTH: `oidc` (CODEC_SERVER_OIDC_JWKS_URL, _ISSUER, _AUDIENCE), `token` (CODEC_SERVER_TOKEN, a
 * single-user stack) or `loopback` (bound to loopback). Unset: oidc when a JWKS URL is set, else token.
 */
function parseAccess(r: EnvReader, host: string): CodecAccessConfig {
  const jwksUrl = r.text('CODEC_SERVER_OIDC_JWKS_URL');
  const mode = r.parse(
    'CODEC_SERVER_AUTH',
    z.enum(CODEC_SERVER_AUTH_MODES),
    jwksUrl ? 'oidc' : 'token',
    CODEC_SERVER_AUTH_MODES.join(', '),
  );
  if (mode === 'oidc') {
    if (!jwksUrl) r.problem('CODEC_SERVER_OIDC_JWKS_URL: missing (CODEC_SERVER_AUTH is oidc)');
    const url = jwksUrl ? r.parse('CODEC_SERVER_OIDC_JWKS_URL', httpUrl, '', 'an http(s) URL') : '';
    const issuer = r.text('CODEC_SERVER_OIDC_ISSUER');
    const audience = r.text('CODEC_SERVER_OIDC_AUDIENCE');
    if (!issuer) r.problem("CODEC_SERVER_OIDC_ISSUER: missing (the access token's iss is checked)");
    if (!audience) r.problem("CODEC_SERVER_OIDC_AUDIENCE: missing (the access token's aud is checked)");
    return { mode, oidc: { jwksUrl: url, issuer: issuer ?? '', audience: audience ?? '' } };
  }
  if (mode === 'token') {
    const token = r.text('CODEC_SERVER_TOKEN');
    if (!token)
      r.problem(
        'CODEC_SERVER_TOKEN: missing (set CODEC_SERVER_OIDC_JWKS_URL for OIDC access tokens, or CODEC_SERVER_AUTH)',
      );
    return { mode, token: token ?? '' };
  }
  if (!LOOPBACK_HOSTS.has(host))
    r.problem('CODEC_SERVER_HOST: malformed (CODEC_SERVER_AUTH=loopback listens on loopback only: 127.0.0.1, ::1)');
  return { mode };
}

export function parseCodecServerSettings(env: Env): Parsed<CodecServerSettings> {
  const r = new EnvReader(env);
  let keys: CodecKey[] | undefined;
  try {
    keys = loadCodecKeys(env);
    if (!keys)
      r.problem('JOURNEY_ENCRYPTION_KEYS or JOURNEY_ENCRYPTION_KEY_FILE: missing (the codec server needs the keys)');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.issues.push(...err.problems);
  }
  const host = r.text('CODEC_SERVER_HOST') ?? DEFAULT_CODEC_SERVER_HOST;
  const origins = r.text('CODEC_SERVER_ALLOWED_ORIGINS');
  return r.result({
    keys: keys ?? [],
    access: parseAccess(r, host),
    host,
    port: r.parse('CODEC_SERVER_PORT', port, DEFAULT_CODEC_SERVER_PORT, 'a port number 0-65535'),
    allowedOrigins: origins
      ? origins
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : DEFAULT_CODEC_SERVER_ALLOWED_ORIGINS,
  });
}
