import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, UnknownKeyIdError } from '../../src/codec/encryption-codec';
import { ConfigError } from '../../src/config/errors';
import { loadCodecKeys } from '../../src/config';
import { parseKeyList } from '../../src/codec/keys';

const keyA = { id: 'key-a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };
const secretState = { subject: { firstName: 'Ada', lastNames: ['Lovelace'], dateOfBirth: '1815-12-10' } };

describe('EncryptionCodec', () => {
  it('encrypts so the plaintext is not in the payload, and decrypts it back', async () => {
    const codec = new EncryptionCodec([keyA]);
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secretState)]);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('Lovelace');
    expect(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString()).toBe('key-a');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secretState);
  });

  it('still decrypts key A payloads after rotating to key B, and encrypts with B', async () => {
    const [writtenWithA] = await new EncryptionCodec([keyA]).encode([defaultPayloadConverter.toPayload(secretState)]);
    const rotated = new EncryptionCodec([keyB, keyA]);
    const [decoded] = await rotated.decode([writtenWithA!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secretState);
    const [writtenWithB] = await rotated.encode([defaultPayloadConverter.toPayload(1)]);
    expect(Buffer.from(writtenWithB!.metadata!['encryption-key-id']!).toString()).toBe('key-b');
  });

  it('fails with an error naming the unknown key id', async () => {
    const [writtenWithA] = await new EncryptionCodec([keyA]).encode([defaultPayloadConverter.toPayload(secretState)]);
    const decoding = new EncryptionCodec([keyB]).decode([writtenWithA!]);
    await expect(decoding).rejects.toThrow(UnknownKeyIdError);
    await expect(decoding).rejects.toThrow(/'key-a'/);
  });

  it('rejects tampered ciphertext', async () => {
    const [encoded] = await new EncryptionCodec([keyA]).encode([defaultPayloadConverter.toPayload(secretState)]);
    encoded!.data![20]! ^= 0xff;
    await expect(new EncryptionCodec([keyA]).decode([encoded!])).rejects.toThrow(
      /failed authentication with key 'key-a'/,
    );
  });
});

describe('key configuration', () => {
  it('parses newest-first key lists from env', () => {
    const keys = loadCodecKeys({
      JOURNEY_ENCRYPTION_KEYS: `b:${keyB.key.toString('base64')},a:${keyA.key.toString('base64')}`,
    });
    expect(keys?.map((k) => k.id)).toEqual(['b', 'a']);
    expect(loadCodecKeys({})).toBeUndefined();
  });

  it('names the bad entry without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseKeyList(`k1:${short}`, 'JOURNEY_ENCRYPTION_KEYS')).toThrow(ConfigError);
    try {
      parseKeyList(`k1:${short}`, 'JOURNEY_ENCRYPTION_KEYS');
    } catch (err) {
      expect((err as Error).message).toBe(
        "JOURNEY_ENCRYPTION_KEYS: key 'k1' must be 32 bytes of base64 (AES-256), got 16",
      );
      expect((err as Error).message).not.toContain(short);
    }
    expect(() => parseKeyList('nokey', 'X')).toThrow("X: entry 1 is not 'id:base64key'");
  });
});
