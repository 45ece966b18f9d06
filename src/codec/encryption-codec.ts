/**
 * AES-256-GCM payload codec: every payload Temporal stores (workflow input and result, activity results,
 * signal arguments, query results) is encrypted before it leaves the process. After the
 * samples-typescript `encryption/` sample, with key rotation: the newest key encrypts, all keys decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKey {
  /** Written into each payload's metadata, so the right key decrypts it after a rotation. Not secret. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class UnknownKeyIdError extends Error {
  override name = 'UnknownKeyIdError';
  constructor(readonly keyId: string) {
    super(`cannot decrypt payload: encryption key id '${keyId}' is not among the configured keys`);
  }
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keysById: Map<string, Buffer>;
  private readonly encryptingKey: CodecKey;

  /** @param keys newest first: the first key encrypts; every key decrypts. */
  constructor(keys: CodecKey[]) {
    const [newest] = keys;
    if (!newest) throw new Error('EncryptionCodec needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`encryption key '${id}' must be 32 bytes (AES-256), got ${key.length}`);
    }
    this.encryptingKey = newest;
    this.keysById = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.encryptingKey.id),
      },
      data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), this.encryptingKey.key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '(none)';
      const key = this.keysById.get(keyId);
      if (!key) throw new UnknownKeyIdError(keyId);
      return temporal.api.common.v1.Payload.decode(decrypt(payload.data ?? new Uint8Array(), key, keyId));
    });
  }
}

function encrypt(plaintext: Uint8Array, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(data: Uint8Array, key: Buffer, keyId: string): Buffer {
  const bytes = Buffer.from(data);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload (key '${keyId}') is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error(
      `encrypted payload failed authentication with key '${keyId}' (wrong key material or tampered data)`,
    );
  }
}
