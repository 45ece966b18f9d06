/**
 * Every payload in test/fixtures/<provider>/ (examples from the providers' specifications) is read by its provider's
 * adapter into a valid JourneyState, so a fixture added later cannot sit untested. The exact states are asserted in
 * test/providers.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journeyStateSchema } from '../../src/contract/journey-state';
import { PROVIDERS, type JourneyProvider } from '../../src/contract/vocabulary';
import { normalise } from '../../src/providers';

const root = path.join(__dirname, '..', 'fixtures');
const files = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(root, d.name)).map((file) => [d.name, file] as const));

describe('every provider fixture normalises', () => {
  it('there is one folder per provider, each with fixtures', () => {
    expect(new Set(files.map(([dir]) => dir))).toStrictEqual(new Set(PROVIDERS));
  });

  it.each(files)('%s/%s', (dir, file) => {
    const body = JSON.parse(readFileSync(path.join(root, dir, file), 'utf8')) as Record<string, unknown>;
    const state = normalise(dir as JourneyProvider, body, { journeyId: 'fixture', observedAt: '2026-01-01T00:00:00Z' });
    expect(journeyStateSchema.parse(state)).toStrictEqual(state);
    expect(state.providerStatus).toBe(body.status ?? body.sessionStatus);
  });
});
