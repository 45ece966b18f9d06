/** Settings of the codec server (`npm run codec-server`): the keys, the token every request carries, CORS. */
import type { CodecKey } from '../codec/encryption-codec';
import { loadCodecKeys } from './encryption';
import { EnvReader, port, type Env, type Parsed } from './env';
import { ConfigError } from './errors';

export const DEFAULT_CODEC_SERVER_HOST = '127.0.0.1';
export const DEFAULT_CODEC_SERVER_PORT = 8888;
/** The Temporal Web UI of a local dev server. */
export const DEFAULT_CODEC_SERVER_ALLOWED_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

export interface CodecServerSettings {
  keys: CodecKey[];
  token: string;
  host: string;
  port: number;
  allowedOrigins: string[];
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
  const token = r.text('CODEC_SERVER_TOKEN');
  if (!token) r.problem('CODEC_SERVER_TOKEN: missing (every request must carry it)');
  const origins = r.text('CODEC_SERVER_ALLOWED_ORIGINS');
  return r.result({
    keys: keys ?? [],
    token: token ?? '',
    host: r.text('CODEC_SERVER_HOST') ?? DEFAULT_CODEC_SERVER_HOST,
    port: r.parse('CODEC_SERVER_PORT', port, DEFAULT_CODEC_SERVER_PORT, 'a port number 0-65535'),
    allowedOrigins: origins
      ? origins
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : DEFAULT_CODEC_SERVER_ALLOWED_ORIGINS,
  });
}
