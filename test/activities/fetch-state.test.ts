/**
 * fetchState over real HTTP against the in-process simulator, for each provider: token caching and refresh,
 * the 401 retry, status classification (docs/providers.md), timeouts, malformed bodies, cancellation,
 * and no token, secret or PII in any error message or log line.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities, createCancelWatcher, type CancelWatcher, type FetchLogger } from '../../src/activities';
import { CANCEL_WATCH_FIRST_LOOKUP_MS } from '../../src/activities/cancel-watch';
import { asFetchError, FetchError, toApplicationFailure } from '../../src/activities/failures';
import type { FetchStateInput, JourneyPoll, JourneyState } from '../../src/contract/journey-state';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import type { ProviderConfig } from '../../src/providers';
import { FETCH_CANCELLED, FETCH_FAILED, FETCH_REJECTED, type FetchFailureDetails } from '../../src/contract/errors';
import { eventually } from '../helpers/eventually';
import { useSimulator } from '../helpers/simulator-fixture';

let clock = Date.now();
const now = () => clock;
const fixture = useSimulator({ simulator: { now }, agent: { connections: 16 } });
// Header/body timeouts well below the 'slow' steps, with room for a loaded machine (50 concurrent first requests).
const http = { headersTimeoutMs: 1_500, bodyTimeoutMs: 1_500, totalTimeoutMs: 3_000 };
const logLines: string[] = [];
const messages: string[] = [];
const logger: FetchLogger = {
  debug: (m, a) => logLines.push(`${m} ${JSON.stringify(a ?? {})}`),
  warn: (m, a) => logLines.push(`${m} ${JSON.stringify(a ?? {})}`),
};

function activities(config: ProviderConfig = fixture.sim.providerConfig()) {
  return createActivities({ config, dispatcher: fixture.agent, now, http, logger });
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure & { details: [FetchFailureDetails] }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure & { details: [FetchFailureDetails] };
    messages.push(failure.message, JSON.stringify(failure.details));
    expect(failure.details).toHaveLength(1);
    // Expected failures carry no stack trace into history: type, message and details say it all.
    expect(failure.stack).toBe('');
    return failure;
  }
  throw new Error('expected fetchState to fail');
}

beforeAll(async () => {
  await fetch(`${fixture.sim.url}/healthz`); // first request warms the server up
});

const family = (p: JourneyProvider) => (p === 'idnow' ? 'idnow' : 'gbg');
const TTL = { gbg: 3600, idnow: 86400 };

describe.each(['gbg-go-v2', 'gbg-go-v1', 'idnow'] as const)('%s', (provider) => {
  const input = (journeyId: string): FetchStateInput => ({ provider, journeyId });
  const isGbg = provider !== 'idnow';

  it('one token request for 100 fetches (50 of them concurrent)', async () => {
    fixture.sim.script(provider, 'journey-id-j-100', ['in_progress']);
    const { fetchState } = activities();
    const first = await Promise.all(Array.from({ length: 50 }, () => fetchState(input('journey-id-j-100'))));
    for (let i = 0; i < 50; i++) await fetchState(input('journey-id-j-100'));
    expect(first[0]).toMatchObject({ status: 'in_progress' });
    expect(fixture.sim.tokenRequests(family(provider))).toBe(1);
    expect(fixture.sim.stats().stateRequests[provider]).toBe(100);
  });

  it('a token about to expire is refreshed before use, without a 401', async () => {
    fixture.sim.script(provider, 'journey-id-j-exp', ['in_progress']);
    const { fetchState } = activities();
    await fetchState(input('journey-id-j-exp'));
    clock += (TTL[family(provider)] - 30) * 1000; // inside the refresh margin
    await fetchState(input('journey-id-j-exp'));
    expect(fixture.sim.tokenRequests(family(provider))).toBe(2);
    expect(fixture.sim.stats().rejectedAuth).toEqual({ missing: 0, wrong: 0, expired: 0 });
  });

  it('a token expired at the provider: the 401 is answered by one refresh and one retry', async () => {
    fixture.sim.script(provider, 'journey-id-j-401', ['in_progress x2', 'completed']);
    const { fetchState } = activities();
    await fetchState(input('journey-id-j-401'));
    fixture.sim.expireTokens();
    const state = await fetchState(input('journey-id-j-401'));
    expect(state.status).toBe('in_progress');
    expect(fixture.sim.tokenRequests(family(provider))).toBe(2);
    expect(fixture.sim.stats().rejectedAuth.expired).toBe(1);
    expect(fixture.sim.stats().stateRequests[provider]).toBe(3);
    fixture.sim.revokeTokens();
    expect((await fetchState(input('journey-id-j-401'))).status).toBe('completed');
    expect(fixture.sim.tokenRequests(family(provider))).toBe(3);
    expect(fixture.sim.stats().rejectedAuth.wrong).toBe(1);
  });

  it('a 401 that persists after the refresh is a failed fetch', async () => {
    fixture.sim.script(provider, 'journey-id-j-401x', ['401']);
    const f = await failureOf(activities().fetchState(input('journey-id-j-401x')));
    expect(f.type).toBe(FETCH_FAILED);
    expect(f.details[0]).toMatchObject({ provider, httpStatus: 401 });
    expect(fixture.sim.tokenRequests(family(provider))).toBe(2);
    expect(fixture.sim.stats().stateRequests[provider]).toBe(2);
  });

  it.each([500, 502, 503, 504, 403, 404, 409])(
    'HTTP %i is FETCH_FAILED with the status and request id',
    async (code) => {
      fixture.sim.script(provider, `journey-id-j-${code}`, [String(code)]);
      const f = await failureOf(activities().fetchState(input(`journey-id-j-${code}`)));
      expect(f.type).toBe(FETCH_FAILED);
      expect(f.nonRetryable).toBe(false);
      // Expected: the workflow counts it; BENIGN keeps it out of the SDK's error logs and failure metrics.
      expect(f.category).toBe(ApplicationFailureCategory.BENIGN);
      expect(f.message).toContain(`HTTP ${code}`);
      expect(f.details[0]).toMatchObject({ provider, httpStatus: code });
      if (isGbg) expect(f.details[0].requestId).toMatch(/^sim-req-\d+$/);
    },
  );

  it.each([400, 422])('HTTP %i is FETCH_REJECTED, non-retryable, with the provider message', async (code) => {
    fixture.sim.script(provider, `journey-id-j-${code}`, [String(code)]);
    const f = await failureOf(activities().fetchState(input(`journey-id-j-${code}`)));
    expect(f.type).toBe(FETCH_REJECTED);
    expect(f.nonRetryable).toBe(true);
    expect(f.category).toBeUndefined();
    expect(f.details[0]).toMatchObject({ provider, httpStatus: code });
    if (provider === 'gbg-go-v2')
      expect(f.message).toMatch(
        code === 400 ? /4002 MISSING_FIELD: instanceId is missing/ : /4004 UNPROCESSABLE_ENTITY/,
      );
    if (provider === 'gbg-go-v1')
      expect(f.message).toMatch(code === 400 ? /instanceId is missing/ : /cannot be processed/);
  });

  it('429 keeps Retry-After as retryAfterMs', async () => {
    fixture.sim.script(provider, 'journey-id-j-429', ['429 retry-after 20', 'completed']);
    const { fetchState } = activities();
    const f = await failureOf(fetchState(input('journey-id-j-429')));
    expect(f.type).toBe(FETCH_FAILED);
    expect(f.details[0]).toMatchObject({ provider, httpStatus: 429, retryAfterMs: 20_000 });
    expect((await fetchState(input('journey-id-j-429'))).status).toBe('completed');
  });

  it('a slow provider times out as a failed fetch', async () => {
    fixture.sim.script(provider, 'journey-id-j-slow', ['slow 5s']);
    // The total timeout out of the way, so only the headers timeout (1.5 s) can end the fetch before the 5 s reply.
    const { fetchState } = createActivities({
      config: fixture.sim.providerConfig(),
      dispatcher: fixture.agent,
      now,
      logger,
      http: { ...http, totalTimeoutMs: 60_000 },
    });
    const f = await failureOf(fetchState(input('journey-id-j-slow')));
    expect(f.type).toBe(FETCH_FAILED);
    expect(f.message).toMatch(/timeout waiting for response headers/);
    expect(f.details[0]).toEqual({ provider });
  });

  it('a reset connection is a failed fetch', async () => {
    fixture.sim.script(provider, 'journey-id-j-reset', ['reset']);
    const f = await failureOf(activities().fetchState(input('journey-id-j-reset')));
    expect(f.type).toBe(FETCH_FAILED);
  });

  it('malformed JSON, a body failing validation, and an unknown status are failed fetches naming the problem', async () => {
    fixture.sim.script(provider, 'journey-id-j-bad', ['malformed', 'invalid', 'status Archived']);
    const { fetchState } = activities();
    const field = isGbg ? 'status' : 'sessionStatus';
    const malformed = await failureOf(fetchState(input('journey-id-j-bad')));
    expect(malformed.type).toBe(FETCH_FAILED);
    expect(malformed.message).toMatch(/not valid JSON/);
    expect(malformed.details[0]).toMatchObject({ httpStatus: 200 });
    const invalid = await failureOf(fetchState(input('journey-id-j-bad')));
    expect(invalid.type).toBe(FETCH_FAILED);
    expect(invalid.message).toContain(`response invalid at ${field}:`);
    const unknown = await failureOf(fetchState(input('journey-id-j-bad')));
    expect(unknown.message).toContain(`response invalid at ${field}: unknown status "Archived"`);
  });

  it('scripted journey to a terminal state; in-progress results are compact', async () => {
    fixture.sim.script(provider, 'journey-id-j-done', ['in_progress', 'completed']);
    const { fetchState } = activities();
    const running = await fetchState(input('journey-id-j-done'));
    // History records this every poll: only what the workflow's next decision and an operator need.
    expect(Object.keys(running).sort()).toEqual(['providerStatus', 'status']);
    const done = (await fetchState(input('journey-id-j-done'))) as JourneyState;
    expect(done).toMatchObject({ provider, journeyId: 'journey-id-j-done', status: 'completed', terminal: true });
    if (provider === 'gbg-go-v2')
      expect(done).toMatchObject({ decision: 'accepted', outcome: 'Of Age', subject: { firstName: 'John' } });
    if (provider === 'idnow')
      expect(done).toMatchObject({
        decision: 'accepted',
        outcome: 'accepted',
        results: { documentVerification: { dataBlockId: 'journey-id-j-done-db1' } },
      });
    expect(done.subject === undefined || provider === 'gbg-go-v2').toBe(true);
  });
});

describe('configuration and auth variants', () => {
  it('GBG client_credentials grant with scope', async () => {
    const { fetchState } = activities(
      fixture.sim.providerConfig({
        gbg: { grant: 'client_credentials', scope: 'gbg.token', username: undefined, password: undefined },
      }),
    );
    fixture.sim.script('gbg-go-v2', 'gbg-client-credentials', ['completed']);
    expect((await fetchState({ provider: 'gbg-go-v2', journeyId: 'gbg-client-credentials' })).status).toBe('completed');
  });

  // Keycloak tenants issue tokens by the password grant only; the SDK spec puts the endpoint on the regional host.
  it.each([
    ['GBG Keycloak-style token URL, and the region from the input', '', 'gbg-go-v1', 'us', 'completed variant=guide'],
    [
      "GBG Keycloak token URL on the journey's regional host ({region} from the input)",
      '/{region}',
      'gbg-go-v2',
      'au',
      'completed',
    ],
  ] as const)('%s', async (_name, host, provider, environment, step) => {
    const c = fixture.sim.credentials.gbg;
    const tokenUrl = `${fixture.sim.url}/gbg${host}/auth/realms/go/protocol/openid-connect/token`;
    const keycloak = { tokenUrl, grant: 'password' as const, username: c.username, password: c.password };
    const { fetchState } = activities(fixture.sim.providerConfig({ gbg: { ...keycloak, scope: undefined } }));
    const journeyId = `gbg-keycloak-journey-${environment}`;
    fixture.sim.script(provider, journeyId, [step]);
    expect(await fetchState({ provider, journeyId, environment })).toMatchObject({ status: 'completed' });
    // Keycloak tokens last 300 s: 280 s on, a fresh one is fetched before use, never answered by a 401.
    const before = fixture.sim.stats();
    clock += 280_000;
    expect(await fetchState({ provider, journeyId, environment })).toMatchObject({ status: 'completed' });
    expect(fixture.sim.stats().tokensIssued.gbg).toBe(before.tokensIssued.gbg + 1);
    expect(fixture.sim.stats().rejectedAuth.expired).toBe(before.rejectedAuth.expired);
  });

  it('an unknown GBG region or a malformed IDnow environment is FETCH_REJECTED', async () => {
    const { fetchState } = activities();
    expect((await failureOf(fetchState({ provider: 'gbg-go-v2', journeyId: 'x', environment: 'mars' }))).type).toBe(
      FETCH_REJECTED,
    );
    expect((await failureOf(fetchState({ provider: 'idnow', journeyId: 'x', environment: '../admin' }))).type).toBe(
      FETCH_REJECTED,
    );
    expect((await failureOf(fetchState({ provider: 'idnow', journeyId: '' }))).type).toBe(FETCH_REJECTED);
  });

  it('wrong credentials: the token request fails as a failed fetch naming the OAuth error only', async () => {
    const { fetchState } = activities(
      fixture.sim.providerConfig({
        gbg: { clientSecret: 'not-the-secret' },
        idnow: { clientSecret: 'not-the-secret' },
      }),
    );
    const gbg = await failureOf(fetchState({ provider: 'gbg-go-v2', journeyId: 'x-0123456789abcdef' }));
    expect(gbg.type).toBe(FETCH_FAILED);
    expect(gbg.message).toBe('gbg-go-v2 token request: HTTP 401 unauthorized — invalid_client');
    const idnow = await failureOf(fetchState({ provider: 'idnow', journeyId: 'x-0123456789abcdef' }));
    expect(idnow.message).toContain('invalid_client');
    expect(idnow.message).not.toContain('not-the-secret');
  });

  it('IDnow client_secret_basic', async () => {
    const { fetchState } = activities(fixture.sim.providerConfig({ idnow: { clientAuth: 'basic' } }));
    fixture.sim.script('idnow', 'basic-0123456789ab', ['completed']);
    await fetchState({ provider: 'idnow', journeyId: 'basic-0123456789ab' });
    expect(fixture.sim.stats().idnowClientAuth).toEqual({ post: 0, basic: 1 });
  });

  it('a provider without credentials is not configured: FETCH_FAILED saying which env vars to set', async () => {
    const { fetchState } = activities({ idnow: fixture.sim.providerConfig().idnow });
    const f = await failureOf(fetchState({ provider: 'gbg-go-v1', journeyId: 'x' }));
    expect(f.type).toBe(FETCH_FAILED);
    expect(f.message).toMatch(/gbg-go-v1 is not configured: set GBG_CLIENT_ID and GBG_CLIENT_SECRET/);
  });

  it.each(['A', 'B', 'C'] as const)(
    'IDnow data blocks (shape %s) only when enabled, only once completed',
    async (shape) => {
      fixture.sim.script('idnow', `db-${shape}-0123456789ab`, ['in_progress', 'completed'], { dataBlocksShape: shape });
      const { fetchState } = activities(fixture.sim.providerConfig({ idnow: { fetchDataBlocks: true } }));
      const running = await fetchState({ provider: 'idnow', journeyId: `db-${shape}-0123456789ab` });
      expect(fixture.sim.stats().dataBlockRequests).toBe(0);
      expect(running).not.toHaveProperty('subject');
      const done = (await fetchState({ provider: 'idnow', journeyId: `db-${shape}-0123456789ab` })) as JourneyState;
      expect(fixture.sim.stats().dataBlockRequests).toBe(1);
      expect(done.subject).toEqual({ firstName: 'Erika', lastNames: ['Mustermann'], dateOfBirth: '1964-08-12' });
      // Identity lives in a basicIdentity block (IDnow's docs); shape C blocks carry no ids, the session's references do.
      expect(done.results).toEqual({
        documentVerification: { dataBlockId: `db-${shape}-0123456789ab-db1` },
        pepAndSanctionsResults: { dataBlockId: `db-${shape}-0123456789ab-db2` },
        basicIdentity: { dataBlockId: `db-${shape}-0123456789ab-db3` },
      });
      // Off by default: no data-block request, no subject.
      fixture.sim.script('idnow', 'db-off-0123456789ab', ['completed']);
      const off = (await activities().fetchState({
        provider: 'idnow',
        journeyId: 'db-off-0123456789ab',
      })) as JourneyState;
      expect(off.subject).toBeUndefined();
      expect(fixture.sim.stats().dataBlockRequests).toBe(1);
    },
  );

  /** Timeouts far beyond a 'slow 30s' reply: only a cancellation can end such a fetch early. */
  function patientActivities(cancelWatcher?: CancelWatcher) {
    const patient = { headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000, totalTimeoutMs: 60_000 };
    const deps = { config: fixture.sim.providerConfig(), dispatcher: fixture.agent, now, logger, http: patient };
    return createActivities(cancelWatcher ? { ...deps, cancelWatcher } : deps);
  }

  it('activity cancellation aborts the request promptly', async () => {
    fixture.sim.script('gbg-go-v2', 'cancel-me-0123456789', ['slow 30s']);
    const { fetchState } = patientActivities();
    const env = new MockActivityEnvironment();
    const running = env.run(() => fetchState({ provider: 'gbg-go-v2', journeyId: 'cancel-me-0123456789' }));
    setTimeout(() => env.cancel(), 200);
    // Not aborted, the fetch would wait out the 30 s reply and resolve with it.
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });

  /** A worker client whose DescribeWorkflowExecution says the cancel was requested from the `requestedAt`-th call. */
  function describingClient(requestedAt: number) {
    const lookups = { count: 0 };
    const describeWorkflowExecution = () =>
      Promise.resolve({ workflowExtendedInfo: { cancelRequested: ++lookups.count >= requestedAt } });
    // withAbortSignal: how the SDK runs an activity with its client.
    const client = {
      workflowService: { describeWorkflowExecution },
      withAbortSignal: (_: AbortSignal, fn: () => unknown) => fn(),
    };
    return { lookups, client: client as unknown as Client };
  }

  it("the journey's cancel request, seen by the cancel watch, aborts a slow request as a benign FetchCancelled", async () => {
    fixture.sim.script('gbg-go-v2', 'cancel-watch-0123456789', ['slow 30s']);
    const cancelWatcher = createCancelWatcher();
    const { fetchState } = patientActivities(cancelWatcher);
    const { lookups, client } = describingClient(2);
    const env = new MockActivityEnvironment(undefined, { client });
    const running = env.run(() => fetchState({ provider: 'gbg-go-v2', journeyId: 'cancel-watch-0123456789' }));
    // The injected watcher is the one asking.
    expect(await eventually(() => (cancelWatcher.watchedCount === 1 ? true : undefined))).toBe(true);
    const failure = await failureOf(running);
    expect(failure.type).toBe(FETCH_CANCELLED);
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(failure.details[0]).toEqual({ provider: 'gbg-go-v2' });
    expect(lookups.count).toBe(2);
    expect(cancelWatcher.watchedCount).toBe(0);
  }, 15_000);

  it('a fast fetch asks the server nothing', async () => {
    fixture.sim.script('gbg-go-v2', 'fast-fetch-0123456789', ['in_progress']);
    const { lookups, client } = describingClient(1);
    const env = new MockActivityEnvironment(undefined, { client });
    const { fetchState } = activities();
    const input: FetchStateInput = { provider: 'gbg-go-v2', journeyId: 'fast-fetch-0123456789' };
    const poll = (await env.run(() => fetchState(input))) as JourneyPoll;
    expect(poll.status).toBe('in_progress');
    // Well past the watch's first lookup: nothing was left running.
    await new Promise((resolve) => setTimeout(resolve, 2 * CANCEL_WATCH_FIRST_LOOKUP_MS));
    expect(lookups.count).toBe(0);
  });
});

describe('the stack trace a failure records', () => {
  it("a bug in fetchState carries the frames where it broke, never the error's message", () => {
    const bug = new TypeError('Cannot read properties of undefined (reading "Zelda-Quixote")');
    const failure = toApplicationFailure(asFetchError('idnow', bug, 3_000));
    expect(failure.message).toBe('idnow: unexpected TypeError in fetchState');
    expect(failure.stack).toMatch(/^ApplicationFailure: idnow: unexpected TypeError in fetchState\n\s+at /);
    expect(failure.stack).toContain('fetch-state.test.ts');
    expect(failure.stack).not.toContain('Zelda');
    const expected = toApplicationFailure(
      asFetchError('idnow', new FetchError('failed', 'HTTP 503', { provider: 'idnow' }), 3_000),
    );
    expect(expected.stack).toBe('');
  });
});

describe('no token, secret or PII in any error message or log line', () => {
  it('holds for everything the tests above produced', () => {
    const creds = fixture.sim.credentials;
    const forbidden = [
      creds.gbg.clientSecret,
      creds.gbg.password,
      creds.idnow.clientSecret,
      'John',
      'Doe',
      '1982-09-27',
      'Erika',
      'Mustermann',
      'Bearer',
      'access_token',
    ];
    const all = [...messages, ...logLines];
    expect(messages.length).toBeGreaterThan(50);
    expect(logLines.length).toBeGreaterThan(50);
    for (const line of all) {
      for (const f of forbidden) expect(line, line).not.toContain(f);
      expect(line, line).not.toMatch(/sim-(gbg|idnow)-[A-Za-z0-9_-]{32}/); // issued access tokens
    }
  });
});
