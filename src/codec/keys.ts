/**
 * Where the payload encryption keys come from, and the data converter built from them.
 *
 * JOURNEY_ENCRYPTION_KEYS      `id:base64key[,id:base64key…]`, newest first
 * JOURNEY_ENCRYPTION_KEY_FILE  a file with one `id:base64key` per line, newest first (`#` starts a comment)
 *
 * The newest key encrypts; every listed key decrypts, so rotating is: add the new key at the top, keep the
 * old ones until every history written with them has passed the namespace's retention.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, type CodecKey } from './encryption-codec';

export class EncryptionKeyConfigError extends Error {
  override name = 'EncryptionKeyConfigError';
}

/** Parses `id:base64key` entries. Messages name the entry by position and id, never the key material. */
export function parseKeyList(text: string, source: string): CodecKey[] {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  const keys = entries.map((entry, index) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const key = Buffer.from(entry.slice(separator + 1).trim(), 'base64');
    if (separator <= 0 || !id) throw new EncryptionKeyConfigError(`${source}: entry ${index + 1} is not 'id:base64key'`);
    if (key.length !== 32) {
      throw new EncryptionKeyConfigError(`${source}: key '${id}' must be 32 bytes of base64 (AES-256), got ${key.length}`);
    }
    return { id, key };
  });
  const ids = keys.map((k) => k.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new EncryptionKeyConfigError(`${source}: key id '${duplicate}' is listed twice`);
  return keys;
}

/** The configured keys, newest first, or undefined when encryption is not configured. */
export function loadCodecKeys(env: NodeJS.ProcessEnv = process.env): CodecKey[] | undefined {
  if (env.JOURNEY_ENCRYPTION_KEYS) return parseKeyList(env.JOURNEY_ENCRYPTION_KEYS, 'JOURNEY_ENCRYPTION_KEYS');
  const file = env.JOURNEY_ENCRYPTION_KEY_FILE;
  if (!file) return undefined;
  if (!existsSync(file)) throw new EncryptionKeyConfigError(`JOURNEY_ENCRYPTION_KEY_FILE: ${file} does not exist`);
  const keys = parseKeyList(readFileSync(file, 'utf8'), `JOURNEY_ENCRYPTION_KEY_FILE (${file})`);
  if (keys.length === 0) throw new EncryptionKeyConfigError(`JOURNEY_ENCRYPTION_KEY_FILE: ${file} lists no key`);
  return keys;
}

/** The data converter for Client, Worker and replay: encrypting whenever a key is configured. */
export function journeyDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = loadCodecKeys(env);
  return keys ? { payloadCodecs: [new EncryptionCodec(keys)] } : {};
}

/** A new random key entry, e.g. for `npm start`'s local dev key or a rotation. */
export function newKeyEntry(id = `key-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Creates (once) and returns a local key file for the embedded stack; kept in a git-ignored folder. */
export function ensureLocalKeyFile(dir: string): string {
  const file = path.join(dir, 'encryption-keys');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `# Local development key for journey-await (newest first). Never use it in production.\n${newKeyEntry('local-dev-1')}\n`, {
      mode: 0o600,
    });
  }
  return file;
}
