/**
 * A stand-in identity provider for tests: an RS256 key pair made with jose, its JWKS served over real HTTP, and
 * access tokens signed with it (or with a forged key under the same kid).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
const loadJose = (): Promise<Jose> => import('jose');

export interface TokenOptions {
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative for an expired token. Default 300. */
  expiresInSec?: number;
  /** Sign with a key the JWKS does not hold, under the served key's kid. */
  forged?: boolean;
}

export interface OidcIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  token(options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startOidcIssuer(audience = 'journey-await-codec'): Promise<OidcIssuer> {
  const jose = await loadJose();
  const kid = 'test-key-1';
  const real = await jose.generateKeyPair('RS256');
  const forged = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(real.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/`;
  return {
    issuer,
    audience,
    jwksUrl: `${base}/jwks.json`,
    async token(options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new jose.SignJWT({ scope: 'openid', sub: 'operator@example.com' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt(now - 60)
        .setExpirationTime(now + (options.expiresInSec ?? 300))
        .sign(options.forged ? forged.privateKey : real.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
