/** RS256 JWTs signed with jose, and the JWKS that verifies them (what IDnow's webhook signing looks like). */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public JWK as a JWKS serves it. */
  jwk: Record<string, unknown>;
}

export function createSigningKey(kid = `sim-${randomUUID().slice(0, 8)}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk };
}

// jose is ESM-only: loaded once with a dynamic import from this CommonJS package.
type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<Jose> | undefined;
const loadJose = () => (josePromise ??= import('jose'));

/** Signs the claims as they are (iat/exp included by the caller) with RS256 and the key's `kid`. */
export async function signJwt(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  const { SignJWT } = await loadJose();
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
}
