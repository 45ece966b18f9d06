/**
 * Where the payload encryption keys come from (every process that reads or writes payloads needs them):
 *
 * JOURNEY_ENCRYPTION_KEYS      `id:base64key[,id:base64key…]`, newest first
 * JOURNEY_ENCRYPTION_KEY_FILE  a file with one `id:base64key` per line, newest first (`#` starts a comment)
 */
import { existsSync, readFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import type { CodecKey } from '../codec/encryption-codec';
import { codecDataConverter, parseKeyList } from '../codec/keys';
import { processEnv, type Env } from './env';
import { ConfigError } from './errors';

/** The configured keys, newest first, or undefined when encryption is not configured. Throws ConfigError. */
export function loadCodecKeys(env: Env = processEnv()): CodecKey[] | undefined {
  const list = env.JOURNEY_ENCRYPTION_KEYS?.trim();
  if (list) return parseKeyList(list, 'JOURNEY_ENCRYPTION_KEYS');
  const file = env.JOURNEY_ENCRYPTION_KEY_FILE?.trim();
  if (!file) return undefined;
  if (!existsSync(file)) throw new ConfigError([`JOURNEY_ENCRYPTION_KEY_FILE: ${file} does not exist`]);
  const keys = parseKeyList(readFileSync(file, 'utf8'), `JOURNEY_ENCRYPTION_KEY_FILE (${file})`);
  if (keys.length === 0) throw new ConfigError([`JOURNEY_ENCRYPTION_KEY_FILE: ${file} lists no key`]);
  return keys;
}

/** The data converter for Client, Worker and replay: encrypting whenever a key is configured. */
export function journeyDataConverter(env: Env = processEnv()): DataConverter {
  return codecDataConverter(loadCodecKeys(env));
}
