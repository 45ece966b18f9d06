import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecServer } from '../../src/codec/codec-server';
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

describe('codec server', () => {
  const token = randomBytes(16).toString('hex');
  const uiOrigin = 'http://localhost:8233';
  const codec = new EncryptionCodec([keyA]);
  const server = createCodecServer({ codec, token, allowedOrigins: [uiOrigin] });
  let base: string;
  let encryptedJSON: { metadata: Record<string, string>; data: string };

  beforeAll(async () => {
    base = await server.listen({ port: 0, host: '127.0.0.1' });
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secretState)]);
    encryptedJSON = {
      metadata: Object.fromEntries(
        Object.entries(encoded!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(encoded!.data!).toString('base64'),
    };
  });
  afterAll(() => server.close());

  const decode = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: JSON.stringify({ payloads: [encryptedJSON] }),
    });

  it('rejects requests without the token, or with a wrong one', async () => {
    expect((await decode('/decode')).status).toBe(401);
    expect((await decode('/decode', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await decode('/wrong/decode')).status).toBe(401);
  });

  it('decodes with a bearer token and with the token path prefix the Web UI uses', async () => {
    for (const response of [
      await decode('/decode', { Authorization: `Bearer ${token}` }),
      await decode(`/${token}/decode`),
    ]) {
      expect(response.status).toBe(200);
      const { payloads } = (await response.json()) as {
        payloads: { metadata: Record<string, string>; data: string }[];
      };
      expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual(secretState);
    }
  });

  it("answers the Web UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/${token}/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-namespace',
        },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/i);
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
