/**
 * Who may decode: the codec server over real HTTP in each access mode. OIDC access tokens are checked against a
 * JWKS served over HTTP (signature, issuer, audience, expiry); a visitor without one gets a 401 and no plaintext.
 * The static token is a header only; loopback mode answers loopback peers that name a loopback host.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodecAccessConfig } from '../../src/codec/access';
import { createCodecServer } from '../../src/codec/codec-server';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { codecServerSettingsFromEnv, ConfigError } from '../../src/config';
import { startOidcIssuer, type OidcIssuer } from '../helpers/oidc-issuer';

const key = { id: 'key-a', key: randomBytes(32) };
const secretState = { subject: { firstName: 'Ada', lastNames: ['Lovelace'], dateOfBirth: '1815-12-10' } };
const uiOrigin = 'http://localhost:8233';
const codec = new EncryptionCodec([key]);
let encryptedJSON: { metadata: Record<string, string>; data: string };
let idp: OidcIssuer;
const servers: FastifyInstance[] = [];

beforeAll(async () => {
  idp = await startOidcIssuer();
  const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secretState)]);
  encryptedJSON = {
    metadata: Object.fromEntries(
      Object.entries(encoded!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(encoded!.data!).toString('base64'),
  };
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await idp?.close();
});

async function serve(access: CodecAccessConfig, host = '127.0.0.1'): Promise<string> {
  const server = createCodecServer({ codec, access, allowedOrigins: [uiOrigin] });
  servers.push(server);
  const address = await server.listen({ port: 0, host });
  return address.replace('0.0.0.0', '127.0.0.1');
}

/** POST /decode; the answer's text, so a test can check that no plaintext is in it. */
async function decode(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: JSON.stringify({ payloads: [encryptedJSON] }),
  });
  return { status: res.status, text: await res.text() };
}

/** The same POST over node:http, which sends the Host header given (fetch always sends the URL's). */
function decodeAs(url: string, host: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json', 'x-namespace': 'default' },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ payloads: [encryptedJSON] }));
  });
}

function decoded(text: string): unknown {
  const { payloads } = JSON.parse(text) as { payloads: { data: string }[] };
  return JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString());
}

describe('oidc: an operator access token from the identity provider', () => {
  let base: string;
  beforeAll(async () => {
    base = await serve({ mode: 'oidc', oidc: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience } });
  });

  it('a visitor with no token, an expired one, another audience or issuer, or a forged JWT: 401, no plaintext', async () => {
    const alg = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({ iss: idp.issuer, aud: idp.audience, exp: Math.floor(Date.now() / 1000) + 300 }),
    ).toString('base64url');
    const attempts: [string, Record<string, string>][] = [
      ['none', {}],
      ['garbage', { Authorization: 'Bearer not-a-jwt' }],
      ['expired', { Authorization: `Bearer ${await idp.token({ expiresInSec: -120 })}` }],
      ['other audience', { Authorization: `Bearer ${await idp.token({ audience: 'another-app' })}` }],
      ['other issuer', { Authorization: `Bearer ${await idp.token({ issuer: 'https://evil.example/' })}` }],
      ['forged', { Authorization: `Bearer ${await idp.token({ forged: true })}` }],
      ['alg none', { Authorization: `Bearer ${alg}.${claims}.` }],
    ];
    for (const [name, headers] of attempts) {
      const res = await decode(`${base}/decode`, headers);
      expect(res.status, name).toBe(401);
      expect(res.text, name).not.toContain(Buffer.from('Lovelace').toString('base64').slice(0, 8));
      expect(res.text, name).not.toContain('Lovelace');
    }
  });

  it("an operator's valid token decodes", async () => {
    const res = await decode(`${base}/decode`, { Authorization: `Bearer ${await idp.token()}` });
    expect(res.status).toBe(200);
    expect(decoded(res.text)).toEqual(secretState);
  });

  it("answers the Web UI's CORS preflight (which carries no token) for its origin only, allowing Authorization", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('token: the opt-in static bearer token', () => {
  const token = randomBytes(16).toString('hex');
  let base: string;
  beforeAll(async () => {
    base = await serve({ mode: 'token', token });
  });

  it('decodes with the header; a wrong one is a 401 and the token in a path (what the UI published) is not accepted', async () => {
    expect((await decode(`${base}/decode`)).status).toBe(401);
    expect((await decode(`${base}/decode`, { Authorization: 'Bearer wrong' })).status).toBe(401);
    const inPath = await decode(`${base}/${token}/decode`);
    expect(inPath.status).toBe(404);
    expect(inPath.text).not.toContain('Lovelace');
    const res = await decode(`${base}/decode`, { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(decoded(res.text)).toEqual(secretState);
  });
});

describe('loopback: npm start', () => {
  it('answers a loopback peer naming a loopback host, from the UI origin or none; refuses a rebound host name or another origin', async () => {
    const base = await serve({ mode: 'loopback' });
    expect((await decode(`${base}/decode`)).status).toBe(200);
    expect((await decode(`${base}/decode`, { Origin: uiOrigin })).status).toBe(200);
    expect((await decode(`${base}/decode`, { Origin: 'http://evil.example' })).status).toBe(401);
    // DNS rebinding: evil.example resolved to 127.0.0.1 by the visitor's browser.
    const port = new URL(base).port;
    expect((await decodeAs(`${base}/decode`, `localhost:${port}`)).status).toBe(200);
    const rebound = await decodeAs(`${base}/decode`, `evil.example:${port}`);
    expect(rebound.status).toBe(401);
    expect(rebound.text).not.toContain('Lovelace');
  });

  it('a peer on another address is refused, and the mode will not listen beyond loopback', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(external, 'this machine needs a non-loopback IPv4 address for this test').toBeDefined();
    const base = await serve({ mode: 'loopback' }, '0.0.0.0');
    const port = new URL(base).port;
    const res = await decodeAs(`http://${external}:${port}/decode`, `127.0.0.1:${port}`);
    expect(res.status).toBe(401);
    expect(() =>
      codecServerSettingsFromEnv({
        JOURNEY_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        CODEC_SERVER_AUTH: 'loopback',
        CODEC_SERVER_HOST: '0.0.0.0',
      }),
    ).toThrow(/CODEC_SERVER_HOST: malformed \(CODEC_SERVER_AUTH=loopback listens on loopback only/);
  });
});

describe('settings', () => {
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const problems = (env: Record<string, string>) => {
    try {
      codecServerSettingsFromEnv({ JOURNEY_ENCRYPTION_KEYS: keys, ...env });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('oidc needs its issuer and audience; nothing set names both ways in', () => {
    expect(problems({ CODEC_SERVER_OIDC_JWKS_URL: 'https://idp.example/jwks' })).toEqual([
      "CODEC_SERVER_OIDC_ISSUER: missing (the access token's iss is checked)",
      "CODEC_SERVER_OIDC_AUDIENCE: missing (the access token's aud is checked)",
    ]);
    expect(problems({})).toEqual([
      'CODEC_SERVER_TOKEN: missing (set CODEC_SERVER_OIDC_JWKS_URL for OIDC access tokens, or CODEC_SERVER_AUTH)',
    ]);
    expect(problems({ CODEC_SERVER_AUTH: 'open' })).toEqual([
      'CODEC_SERVER_AUTH: malformed (expected oidc, token, loopback)',
      'CODEC_SERVER_TOKEN: missing (set CODEC_SERVER_OIDC_JWKS_URL for OIDC access tokens, or CODEC_SERVER_AUTH)',
    ]);
    expect(
      codecServerSettingsFromEnv({
        JOURNEY_ENCRYPTION_KEYS: keys,
        CODEC_SERVER_OIDC_JWKS_URL: 'https://idp.example/jwks',
        CODEC_SERVER_OIDC_ISSUER: 'https://idp.example/',
        CODEC_SERVER_OIDC_AUDIENCE: 'codec',
      }).access,
    ).toEqual({
      mode: 'oidc',
      oidc: { jwksUrl: 'https://idp.example/jwks', issuer: 'https://idp.example/', audience: 'codec' },
    });
  });
});
