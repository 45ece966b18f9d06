/**
 * The testing kit's scripted fetchState against the real one: every step of the simulator's script language gives
 * the same normalised state, or the same failure (type, category, retryability, HTTP status, Retry-After, message), whether
 * played in-process or served by the simulator over HTTP to the real activity. And the kit stays out of the product.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { createActivities, createProviderAgent } from '../../src/activities';
import type { JourneyPoll, JourneyState } from '../../src/contract/journey-state';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { awaitJourneyResult, startJourneyAwait } from '../../src/client';
import { createJourneyTestEnvironment, type JourneyTestEnvironment } from '../../testing/environment';
import { InvalidJourneyInputError } from '../../testing';
import { createScriptedFetchState } from '../../testing/scripted-fetch-state';

const TIMEOUT_MS = 1_000;
let sim: Simulator;
const agent = createProviderAgent();

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim?.close();
  await agent.close();
});

type Outcome =
  | { state: Partial<JourneyState> }
  | {
      failure: {
        type?: string;
        category?: unknown;
        nonRetryable: boolean;
        message: string;
        httpStatus?: number;
        retryAfterMs?: number;
      };
    };

/** What a service can observe of one fetch, without the clock-dependent fields. */
async function outcome(fetch: Promise<JourneyPoll>): Promise<Outcome> {
  try {
    const {
      observedAt: _o,
      startedAt: _s,
      completedAt: _c,
      durationMs: _d,
      ...state
    } = (await fetch) as Partial<JourneyState>;
    return { state };
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    const details = (err.details?.[0] ?? {}) as { httpStatus?: number; retryAfterMs?: number };
    return {
      failure: {
        type: err.type ?? undefined,
        category: err.category,
        nonRetryable: err.nonRetryable === true,
        message: err.message,
        httpStatus: details.httpStatus,
        retryAfterMs: details.retryAfterMs,
      },
    };
  }
}

const STEPS = [
  'in_progress',
  'created',
  'paused',
  'completed',
  'completed outcome=rejected',
  'failed',
  'error',
  'aborted',
  'expired',
  'status Archived',
  '503',
  '500',
  '429 retry-after 20',
  '404',
  '410',
  '400',
  '422',
  '401',
  'malformed',
  'invalid',
  'reset',
  'slow 200ms completed',
  'slow 2s',
];

describe.each(['gbg-go-v2', 'gbg-go-v1', 'idnow'] as JourneyProvider[])(
  '%s: scripted fetchState = real fetchState against the simulator',
  (provider) => {
    const real = () =>
      createActivities({ config: sim.providerConfig(), dispatcher: agent, http: { totalTimeoutMs: TIMEOUT_MS } })
        .fetchState;
    const scripted = createScriptedFetchState({ timeoutMs: TIMEOUT_MS });

    it.each(STEPS)('%s', async (step) => {
      const journeyId = `kit-${randomUUID()}`;
      sim.script(provider, journeyId, [step]);
      scripted.script(provider, journeyId, [step]);
      const input = { provider, journeyId };
      const [viaSimulator, inProcess] = [await outcome(real()(input)), await outcome(scripted.fetchState(input))];
      expect(inProcess).toEqual(viaSimulator);
    });

    it('plays a script step by step, the last step repeating, and counts the fetches', async () => {
      const journeyId = `kit-${randomUUID()}`;
      scripted.script(provider, journeyId, ['in_progress x2', '503', 'completed']);
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) {
        const o = await outcome(scripted.fetchState({ provider, journeyId }));
        statuses.push('state' in o ? o.state.status! : `${o.failure.httpStatus}`);
      }
      expect(statuses).toEqual(['in_progress', 'in_progress', '503', 'completed', 'completed']);
      expect(scripted.journey(provider, journeyId)?.fetches).toBe(5);
    });

    it('follows the journey-id naming convention when a journey is not scripted', async () => {
      const journeyId = `sim-errors-1-then-complete-${randomUUID()}`;
      const first = await outcome(scripted.fetchState({ provider, journeyId }));
      const second = await outcome(scripted.fetchState({ provider, journeyId }));
      expect(first).toMatchObject({ failure: { httpStatus: 503 } });
      expect(second).toMatchObject({ state: { status: 'completed', terminal: true } });
    });
  },
);

describe('the testing kit is not part of the product', () => {
  const root = path.join(__dirname, '..', '..');
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
  const pkg = JSON.parse(read('package.json')) as {
    exports: Record<string, Record<string, string>>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };

  it('journey-await/testing is built apart from lib/, which alone goes into the image', () => {
    const testing = pkg.exports['./testing']!;
    expect(testing.default).toMatch(/^\.\/lib-testing\//);
    expect(testing.types).toMatch(/^\.\/lib-testing\//);
    expect(JSON.parse(read('tsconfig.build.json')).include).toEqual(['src']);
    expect(JSON.parse(read('tsconfig.testing.json').replace(/^\s*\/\/.*$/gm, '')).compilerOptions.outDir).toBe(
      'lib-testing',
    );
    const copies = read('Dockerfile')
      .split('\n')
      .filter((line) => /^COPY\b/.test(line))
      .join('\n');
    expect(copies).not.toMatch(/testing|examples|\bdev\b/);
  });

  it('@temporalio/testing is a devDependency and an optional peer, never a runtime dependency', () => {
    expect(pkg.dependencies['@temporalio/testing']).toBeUndefined();
    expect(pkg.devDependencies['@temporalio/testing']).toBe(pkg.dependencies['@temporalio/worker']);
    expect(pkg.peerDependencies['@temporalio/testing']).toBe(pkg.dependencies['@temporalio/worker']);
    expect(pkg.peerDependenciesMeta['@temporalio/testing']?.optional).toBe(true);
  });
});

describe('createJourneyTestEnvironment options', () => {
  it.each([
    [{ fetchState: 'mocked' as never }, /fetchState must be 'simulator' or 'scripted'/],
    [{ taskQueue: ' ' }, /taskQueue must be a non-empty string/],
    [{ fetchTimeoutMs: 0 }, /fetchTimeoutMs must be a positive number/],
    [{ defaultScript: ['sometimes completed'] }, /unknown script step/],
  ])('refuses %j before starting anything', async (options, message) => {
    // Should it start after all, it must not leave a server behind.
    const attempt = createJourneyTestEnvironment(options).then(async (journeys) => journeys.teardown());
    await expect(attempt).rejects.toThrow(message);
  });
});

describe('scriptJourney', () => {
  let journeys: JourneyTestEnvironment;
  beforeAll(async () => {
    journeys = await createJourneyTestEnvironment({ fetchState: 'scripted' });
  });
  afterAll(() => journeys?.teardown());

  it.each([
    ['gbg-go-v2', 'inst-1', /journeyId must be 16–64 characters/],
    ['idnow', 'session id with spaces', /journeyId may contain only letters, digits/],
    ['onfido', randomUUID(), /provider must be one of/],
  ])('refuses %s journey %j, which could only fail its workflow as InvalidJourneyInput', (provider, id, message) => {
    const script = () => journeys.scriptJourney(provider as JourneyProvider, id, ['completed']);
    expect(script).toThrow(InvalidJourneyInputError);
    expect(script).toThrow(message);
  });

  it('scripts a journey inside the contract', async () => {
    const journeyId = randomUUID();
    journeys.scriptJourney('idnow', journeyId, ['in_progress', 'completed']);
    await startJourneyAwait(journeys.client, { provider: 'idnow', journeyId }, { taskQueue: journeys.taskQueue });
    expect(await awaitJourneyResult(journeys.client, { provider: 'idnow', journeyId })).toMatchObject({
      status: 'completed',
    });
    expect(journeys.journey('idnow', journeyId)?.fetches).toBe(2);
  });
});
