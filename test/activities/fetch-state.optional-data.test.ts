/**
 * fetchState over real HTTP against the simulator: a completed IDnow session keeps its status and decision when its
 * data blocks cannot be fetched or read (bounded retries first, then a typed PII-free reason), and 404/410 on the
 * state fetch (404 may be a journey not visible yet: a failed fetch; 410 is gone for good: permanent).
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DATA_BLOCK_ATTEMPTS } from '../../src/activities/fetch-state';
import { createActivities, type FetchLogger } from '../../src/activities';
import { journeyStateSchema, type FetchStateInput, type JourneyState } from '../../src/contract/journey-state';
import { PROVIDERS } from '../../src/contract/vocabulary';
import { providerConfigFromEnv } from '../../src/providers';
import { FETCH_FAILED, FETCH_REJECTED } from '../../src/contract/errors';
import { startSimulator } from '../../dev/simulator';
import { useSimulator } from '../helpers/simulator-fixture';

const fixture = useSimulator({ agent: { connections: 4 } });
const logLines: string[] = [];
const logger: FetchLogger = {
  debug: (m, a) => logLines.push(`${m} ${JSON.stringify(a ?? {})}`),
  warn: (m, a) => logLines.push(`${m} ${JSON.stringify(a ?? {})}`),
};
/** These journeys are all completed, so each poll returns the full state (in-progress polls are compact). */
const fetchState =
  (fetchDataBlocks = true) =>
  async (input: FetchStateInput): Promise<JourneyState> =>
    (await createActivities({
      config: fixture.sim.providerConfig({ idnow: { fetchDataBlocks } }),
      dispatcher: fixture.agent,
      logger,
      http: { totalTimeoutMs: 5_000 },
    }).fetchState(input)) as JourneyState;

describe('IDnow completed session whose data blocks fail', () => {
  it('transient failures are retried, then the blocks are used', async () => {
    fixture.sim.script('idnow', 'db-flaky-0123456789ab', ['completed'], { dataBlocksScript: ['503', '429', 'A'] });
    const state = await fetchState()({ provider: 'idnow', journeyId: 'db-flaky-0123456789ab' });
    expect(fixture.sim.stats().dataBlockRequests).toBe(3);
    expect(state).toMatchObject({ status: 'completed', decision: 'accepted', subject: { firstName: 'Erika' } });
    expect(state.subjectUnavailable).toBeUndefined();
  });

  it('persistent 5xx: status and decision kept, subject missing, reason typed, attempts bounded', async () => {
    fixture.sim.script('idnow', 'db-down-0123456789ab', ['completed'], { dataBlocksScript: ['503'] });
    const state = await fetchState()({ provider: 'idnow', journeyId: 'db-down-0123456789ab' });
    expect(fixture.sim.stats().dataBlockRequests).toBe(DATA_BLOCK_ATTEMPTS);
    expect(state).toMatchObject({
      status: 'completed',
      terminal: true,
      decision: 'accepted',
      providerStatus: 'COMPLETED',
    });
    expect(state.subject).toBeUndefined();
    expect(state.subjectUnavailable).toEqual({
      reason: 'fetch_failed',
      httpStatus: 503,
      attempts: DATA_BLOCK_ATTEMPTS,
      message: 'idnow data-block fetch: HTTP 503 service unavailable — http_503',
    });
    expect(journeyStateSchema.parse(state)).toStrictEqual(state);
  });

  it.each(['malformed', 'invalid'])('an unreadable body (%s) is not retried', async (reply) => {
    fixture.sim.script('idnow', `db-${reply}-0123456789ab`, ['completed outcome=rejected'], {
      dataBlocksScript: [reply],
    });
    const state = await fetchState()({ provider: 'idnow', journeyId: `db-${reply}-0123456789ab` });
    expect(fixture.sim.stats().dataBlockRequests).toBe(1);
    expect(state).toMatchObject({
      status: 'completed',
      decision: 'rejected',
      subjectUnavailable: { reason: 'unreadable', attempts: 1, httpStatus: 200 },
    });
  });

  it('a permanent 4xx is not retried', async () => {
    fixture.sim.script('idnow', 'db-403-0123456789ab', ['completed'], { dataBlocksScript: ['403'] });
    const state = await fetchState()({ provider: 'idnow', journeyId: 'db-403-0123456789ab' });
    expect(fixture.sim.stats().dataBlockRequests).toBe(1);
    expect(state.subjectUnavailable).toMatchObject({ reason: 'fetch_failed', httpStatus: 403, attempts: 1 });
  });

  it('no subject data in the reasons or the log lines', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines)
      for (const pii of ['Erika', 'Mustermann', '1964-08-12']) expect(line).not.toContain(pii);
  });
});

describe.each(PROVIDERS)('%s: 404 vs 410 on the state fetch', (provider) => {
  async function failure(code: number): Promise<ApplicationFailure> {
    fixture.sim.script(provider, `gone-${code}-0123456789abcdef`, [String(code)]);
    try {
      await fetchState(false)({ provider, journeyId: `gone-${code}-0123456789abcdef` });
    } catch (err) {
      return err as ApplicationFailure;
    }
    throw new Error('expected a failure');
  }

  it('404 is a failed fetch (the journey may not be visible yet)', async () => {
    const f = await failure(404);
    expect(f).toMatchObject({ type: FETCH_FAILED, nonRetryable: false });
  });

  it('410 is permanent: the provider no longer has the journey', async () => {
    const f = await failure(410);
    expect(f).toMatchObject({ type: FETCH_REJECTED, nonRetryable: true });
    expect(f.message).toContain('HTTP 410 gone');
  });
});

describe('IDnow client_secret_basic with reserved and non-ASCII characters', () => {
  // A colon in the client id cannot be sent raw (HTTP Basic splits at the first one); in the secret it can.
  const credentials = { clientId: 'client+id%41', clientSecret: 'p%41ss+word: ü€ %zz' };

  it.each([
    ['basic', 'raw'],
    ['basic-urlencoded', 'urlencoded'],
  ] as const)('%s against a token endpoint reading %s credentials', async (clientAuth, idnowBasicEncoding) => {
    const strict = await startSimulator({ credentials: { idnow: credentials }, idnowBasicEncoding });
    try {
      const config = strict.providerConfig({ idnow: { clientAuth } });
      strict.script('idnow', 'basic-1-0123456789ab', ['completed']);
      const state = await createActivities({ config, dispatcher: fixture.agent, logger }).fetchState({
        provider: 'idnow',
        journeyId: 'basic-1-0123456789ab',
      });
      expect(state.status).toBe('completed');
      expect(strict.stats().idnowClientAuth).toEqual({ post: 0, basic: 1 });
      // The two encodings differ for such secrets: the other one is refused (401 invalid_client, never a 500).
      const other = clientAuth === 'basic' ? 'basic-urlencoded' : 'basic';
      const wrong = createActivities({
        config: strict.providerConfig({ idnow: { clientAuth: other } }),
        dispatcher: fixture.agent,
        logger,
      });
      await expect(wrong.fetchState({ provider: 'idnow', journeyId: 'basic-1-0123456789ab' })).rejects.toMatchObject({
        type: FETCH_FAILED,
        message: 'idnow token request: HTTP 401 unauthorized — invalid_client',
      });
    } finally {
      await strict.close();
    }
  });

  it('a client id with a colon cannot be sent raw: a configuration error naming the setting', () => {
    expect(() =>
      providerConfigFromEnv({ IDNOW_CLIENT_ID: 'a:b', IDNOW_CLIENT_SECRET: 's', IDNOW_CLIENT_AUTH: 'basic' }),
    ).toThrow(/IDNOW_CLIENT_ID: contains ":"/);
    expect(
      providerConfigFromEnv({ IDNOW_CLIENT_ID: 'a:b', IDNOW_CLIENT_SECRET: 's', IDNOW_CLIENT_AUTH: 'basic-urlencoded' })
        .idnow?.clientAuth,
    ).toBe('basic-urlencoded');
  });
});
