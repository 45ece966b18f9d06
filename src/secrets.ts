/** Comparing a presented secret (token, password, API key) with the configured one. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant-time: both sides are hashed first, so neither the content nor the length of the secret leaks
 * through timing. A missing secret never matches.
 */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  return timingSafeEqual(digest(presented ?? ''), digest(expected)) && presented !== undefined;
}
