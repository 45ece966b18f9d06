/**
 * Encryption keys as text (`id:base64key` entries, newest first), and the data converter built from them.
 * Which variables or files hold them is the configuration's business (`src/config/encryption.ts`).
 *
 * The newest key encrypts; every listed key decrypts, so rotating is: add the new key at the top, keep the
 * old ones until every history written with them has passed the namespace's retention.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { ConfigError } from '../config/errors';
import { EncryptionCodec, type CodecKey } from './encryption-codec';

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
    if (separator <= 0 || !id) throw new ConfigError([`${source}: entry ${index + 1} is not 'id:base64key'`]);
    if (key.length !== 32) {
      throw new ConfigError([`${source}: key '${id}' must be 32 bytes of base64 (AES-256), got ${key.length}`]);
    }
    return { id, key };
  });
  const ids = keys.map((k) => k.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ConfigError([`${source}: key id '${duplicate}' is listed twice`]);
  return keys;
}

/**
 * The data converter for Client, Worker, webhook receiver and replay: encrypting whenever there are keys. Failure
 * messages and stack traces (which can quote a provider's error text) then travel as an encoded payload too; the
 * Web UI decodes them through the codec server. (A worker that bundles the workflow sources passes the same path to
 * the bundler; the prebuilt bundle always has it.)
 */
export function codecDataConverter(keys: CodecKey[] | undefined): DataConverter {
  return keys ? { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH } : {};
}

/** The module exporting `failureConverter` (encoded messages and stack traces). */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, 'failure-converter');

/** A new random key entry, e.g. for `npm start`'s local dev key or a rotation. */
export function newKeyEntry(
  id = `key-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`,
): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
