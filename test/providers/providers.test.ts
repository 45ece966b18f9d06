import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journeyStateSchema } from '../../src/contract/journey-state';
import {
  normalise,
  normaliseGbgV1,
  normaliseGbgV2,
  normaliseIdnowDataBlocks,
  normaliseIdnowSession,
  ProviderConfigError,
  providerConfigFromEnv,
  ProviderResponseError,
} from '../../src/providers';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8'));
const observedAt = '2026-03-17T00:00:00.000Z';
const ctx = (journeyId: string) => ({ journeyId, observedAt });

function expectProviderError(fn: () => unknown, field: string, text?: string): ProviderResponseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderResponseError);
    const e = err as ProviderResponseError;
    expect(e.field).toBe(field);
    if (text) expect(e.message).toContain(text);
    return e;
  }
  throw new Error('expected a ProviderResponseError');
}

describe('fixtures normalise to the exact JourneyState', () => {
  it('gbg-go-v2 state-in-progress.json', () => {
    const state = normaliseGbgV2(fixture('gbg-go-v2/state-in-progress.json'), ctx('P7U7Licy40cLZiENe8MrsL'));
    expect(state).toStrictEqual({
      provider: 'gbg-go-v2',
      journeyId: 'P7U7Licy40cLZiENe8MrsL',
      status: 'in_progress',
      terminal: false,
      providerStatus: 'InProgress',
      decision: 'undecided',
      journey: {
        name: 'Journey Name',
        definitionId: '9dcd95e06495ec32c9ad149283a935548e4a380461b9ee6981af0fef5c70c8c3',
        version: '5f7yigc4',
      },
      startedAt: '2026-03-16T23:56:04.097Z',
      steps: [],
      source: 'poll',
      observedAt,
    });
    expect(journeyStateSchema.parse(state)).toStrictEqual(state);
  });

  it('gbg-go-v2 state-completed.json', () => {
    const state = normaliseGbgV2(fixture('gbg-go-v2/state-completed.json'), ctx('Pq_hhIX6-sHUy9FLSDzPLu'));
    expect(state).toStrictEqual({
      provider: 'gbg-go-v2',
      journeyId: 'Pq_hhIX6-sHUy9FLSDzPLu',
      status: 'completed',
      terminal: true,
      providerStatus: 'Completed',
      // No step carries an outcomeClassification: the provider states no verdict we can read.
      decision: 'undecided',
      outcome: 'Of Age',
      journey: {
        name: 'Age verification',
        definitionId: '9dcd95e06495ec32c9ad149283a935548e4a380461b9ee6981af0fef5c70c8c3',
        version: '5f7yigc4',
      },
      startedAt: '2026-03-16T23:56:04.097Z',
      completedAt: '2026-03-16T23:57:38.417Z',
      durationMs: 94320,
      steps: [{ id: 'mp586xkhweua5v4z5n', status: 'complete', outcome: 'Of Age', advice: 'resultcode.confirm.age' }],
      subject: {
        firstName: 'John',
        lastNames: ['Doe'],
        dateOfBirth: '1982-09-27',
        address: {
          postalCode: '900010',
          country: 'US',
          lines: ['New Orleans, Louisiana, U.S.'],
          locality: 'New Orleans',
        },
      },
      source: 'poll',
      observedAt,
    });
    expect(journeyStateSchema.parse(state)).toStrictEqual(state);
  });

  it('gbg-go-v1 state-in-progress.json', () => {
    const state = normaliseGbgV1(fixture('gbg-go-v1/state-in-progress.json'), ctx('PiIuACmx8Q8R7qPnAkLAqBAT'));
    expect(state).toStrictEqual({
      provider: 'gbg-go-v1',
      journeyId: 'PiIuACmx8Q8R7qPnAkLAqBAT',
      status: 'in_progress',
      terminal: false,
      providerStatus: 'InProgress',
      decision: 'undecided',
      startedAt: '2024-02-15T22:16:33.213Z',
      steps: [],
      source: 'poll',
      observedAt,
    });
  });

  it('idnow session-running.json', () => {
    const state = normaliseIdnowSession(
      fixture('idnow/session-running.json'),
      ctx('0197c55f-5af6-7e3d-af9b-f2359b134be8'),
    );
    expect(state).toStrictEqual({
      provider: 'idnow',
      journeyId: '0197c55f-5af6-7e3d-af9b-f2359b134be8',
      status: 'in_progress',
      terminal: false,
      providerStatus: 'RUNNING',
      decision: 'undecided',
      outcome: 'NO_OUTCOME',
      journey: { definitionId: '0197c55f-5af6-7e3d-af9b-f2359b154be8', version: '1' },
      startedAt: '2025-01-07T10:30:00.000Z',
      steps: [{ id: 'step_start_001', status: 'success' }],
      source: 'poll',
      observedAt,
    });
  });

  it('idnow session-completed.json', () => {
    const state = normaliseIdnowSession(
      fixture('idnow/session-completed.json'),
      ctx('0197c55f-5af6-7e3d-af9b-f2359b134be8'),
    );
    expect(state).toStrictEqual({
      provider: 'idnow',
      journeyId: '0197c55f-5af6-7e3d-af9b-f2359b134be8',
      status: 'completed',
      terminal: true,
      providerStatus: 'COMPLETED',
      decision: 'accepted',
      outcome: 'accepted',
      journey: { definitionId: '0197c55f-5af6-7e3d-af9b-f2359b154be8', version: '1' },
      startedAt: '2025-01-07T10:30:00.000Z',
      completedAt: '2025-01-07T10:35:00.000Z',
      durationMs: 300_000,
      steps: [{ id: 'step_end_001', status: 'completed' }],
      results: {
        documentVerification: { dataBlockId: '0197c55f-5af6-7e3d-af9b-f2359b200be1' },
        pepAndSanctionsResults: { dataBlockId: '0197c55f-5af6-7e3d-af9b-f2359b200be2' },
        comparisonResults: { dataBlockId: '0197c55f-5af6-7e3d-af9b-f2359b200be3' },
      },
      source: 'poll',
      observedAt,
    });
  });
});

describe('documented variants', () => {
  it('gbg-go-v1 guide shape: state IN_PROGRESS, then COMPLETED with timestamp/lastUpdated', () => {
    const running = normaliseGbgV1(
      {
        instanceId: 'c8c6fabc-1',
        state: 'IN_PROGRESS',
        timestamp: '2025-03-26T14:20:00Z',
        lastUpdated: '2025-03-26T14:21:00Z',
      },
      ctx('c8c6fabc-1'),
    );
    expect(running).toStrictEqual({
      provider: 'gbg-go-v1',
      journeyId: 'c8c6fabc-1',
      status: 'in_progress',
      terminal: false,
      providerStatus: 'IN_PROGRESS',
      decision: 'undecided',
      steps: [],
      source: 'poll',
      observedAt,
    });
    const done = normaliseGbgV1(
      {
        instanceId: 'c8c6fabc-1',
        state: 'COMPLETED',
        timestamp: '2025-03-26T14:22:10Z',
        lastUpdated: '2025-03-26T14:22:11Z',
      },
      ctx('c8c6fabc-1'),
    );
    expect(done).toStrictEqual({
      provider: 'gbg-go-v1',
      journeyId: 'c8c6fabc-1',
      status: 'completed',
      terminal: true,
      providerStatus: 'COMPLETED',
      decision: 'undecided',
      completedAt: '2025-03-26T14:22:11Z',
      steps: [],
      source: 'poll',
      observedAt,
    });
  });

  it('gbg-go-v1 API shape: Completed with completedTime, FAILED, Paused; status wins over state', () => {
    const done = normaliseGbgV1(
      {
        instanceId: 'x',
        status: 'Completed',
        metaData: { createdTime: '2024-02-15T22:16:33.213Z', completedTime: '2024-02-15T22:18:33.213Z' },
        data: {},
      },
      ctx('x'),
    );
    expect(done).toMatchObject({
      status: 'completed',
      terminal: true,
      completedAt: '2024-02-15T22:18:33.213Z',
      durationMs: 120_000,
    });
    expect(normaliseGbgV1({ status: 'FAILED' }, ctx('x'))).toMatchObject({
      status: 'failed',
      terminal: true,
      providerStatus: 'FAILED',
    });
    expect(normaliseGbgV1({ status: 'Paused' }, ctx('x'))).toMatchObject({ status: 'in_progress', terminal: false });
    expect(normaliseGbgV1({ status: 'InProgress', state: 'COMPLETED' }, ctx('x'))).toMatchObject({
      status: 'in_progress',
    });
    expectProviderError(() => normaliseGbgV1({ instanceId: 'x' }, ctx('x')), 'status', 'missing');
    expectProviderError(() => normaliseGbgV1({ state: 'Started' }, ctx('x')), 'state', 'unknown status "Started"');
  });

  it('gbg-go-v2 Paused, Error, Failed, and lenient spellings', () => {
    expect(normaliseGbgV2({ status: 'Paused', context: {} }, ctx('x'))).toMatchObject({
      status: 'in_progress',
      terminal: false,
      providerStatus: 'Paused',
    });
    expect(normaliseGbgV2({ status: 'Error' }, ctx('x'))).toMatchObject({
      status: 'failed',
      terminal: true,
      providerStatus: 'Error',
    });
    expect(normaliseGbgV2({ status: 'COMPLETED' }, ctx('x'))).toMatchObject({
      status: 'completed',
      providerStatus: 'COMPLETED',
    });
    expect(normaliseGbgV2({ status: 'in_progress' }, ctx('x'))).toMatchObject({ status: 'in_progress' });
    const failed = normaliseGbgV2(
      {
        instanceId: 'x',
        status: 'Failed',
        context: {
          process: {
            journey: { name: 'KYC', startedAt: '2026-01-01T00:00:00Z' },
            steps: [
              { nodeId: 'n1', outcomeClassification: 'negative', result: { status: 'complete', outcome: 'Deceased' } },
            ],
          },
          subject: {},
          result: { status: 'failed', advice: {} },
        },
      },
      ctx('x'),
    );
    expect(failed).toStrictEqual({
      provider: 'gbg-go-v2',
      journeyId: 'x',
      status: 'failed',
      terminal: true,
      providerStatus: 'Failed',
      decision: 'rejected',
      outcome: 'Deceased',
      journey: { name: 'KYC' },
      startedAt: '2026-01-01T00:00:00Z',
      steps: [{ id: 'n1', status: 'complete', outcome: 'Deceased' }],
      source: 'poll',
      observedAt,
    });
  });

  it('gbg-go-v2 outcome classification: all positive accepted, any other undecided', () => {
    const body = (classes: string[]) => ({
      status: 'Completed',
      context: { process: { steps: classes.map((c, i) => ({ nodeId: `n${i}`, outcomeClassification: c })) } },
    });
    expect(normaliseGbgV2(body(['positive', 'positive']), ctx('x')).decision).toBe('accepted');
    expect(normaliseGbgV2(body(['positive', 'refer']), ctx('x')).decision).toBe('undecided');
    expect(normaliseGbgV2(body(['positive', 'negative']), ctx('x')).decision).toBe('rejected');
  });

  it('gbg-go-v2 SDK-spec metaData shape', () => {
    const running = normaliseGbgV2(
      {
        instanceId: 'abc',
        status: 'InProgress',
        metaData: { createdTime: '2024-02-15T22:16:33.213Z', completedTime: '' },
        data: {},
      },
      ctx('abc'),
    );
    expect(running).toStrictEqual({
      provider: 'gbg-go-v2',
      journeyId: 'abc',
      status: 'in_progress',
      terminal: false,
      providerStatus: 'InProgress',
      decision: 'undecided',
      startedAt: '2024-02-15T22:16:33.213Z',
      steps: [],
      source: 'poll',
      observedAt,
    });
    const done = normaliseGbgV2(
      {
        instanceId: 'abc',
        status: 'Completed',
        metaData: { createdTime: '2024-02-15T22:16:33.213Z', completedTime: '2024-02-15T22:17:33.213Z' },
      },
      ctx('abc'),
    );
    expect(done).toMatchObject({ status: 'completed', completedAt: '2024-02-15T22:17:33.213Z', durationMs: 60_000 });
  });

  it('idnow sandbox shape: upper-case ACCEPTED, lastStep {stepName, stepType}', () => {
    const state = normaliseIdnowSession(
      {
        sessionId: 's1',
        sessionStatus: 'COMPLETED',
        outcome: 'ACCEPTED',
        flowId: 'f1',
        flowVersion: 3,
        startedAt: null,
        completedAt: '2025-01-07T10:35:00.000Z',
        lastStep: { stepName: 'END', stepType: 'END', verdict: 'accepted' },
      },
      ctx('s1'),
    );
    expect(state).toStrictEqual({
      provider: 'idnow',
      journeyId: 's1',
      status: 'completed',
      terminal: true,
      providerStatus: 'COMPLETED',
      decision: 'accepted',
      outcome: 'ACCEPTED',
      journey: { definitionId: 'f1', version: '3' },
      completedAt: '2025-01-07T10:35:00.000Z',
      steps: [{ id: 'END', type: 'END', status: 'accepted' }],
      source: 'poll',
      observedAt,
    });
  });

  it('idnow outcomes and terminal statuses', () => {
    const base = fixture('idnow/session-running.json') as Record<string, unknown>;
    const with_ = (patch: Record<string, unknown>) => normaliseIdnowSession({ ...base, ...patch }, ctx('s'));
    expect(with_({ sessionStatus: 'COMPLETED', outcome: 'rejected' })).toMatchObject({
      status: 'completed',
      decision: 'rejected',
    });
    expect(with_({ sessionStatus: 'COMPLETED', outcome: 'NO_OUTCOME' })).toMatchObject({
      status: 'completed',
      decision: 'undecided',
    });
    expect(with_({ sessionStatus: 'ABORTED', completedAt: '2025-01-07T10:31:00.000Z' })).toMatchObject({
      status: 'aborted',
      terminal: true,
      decision: 'undecided',
      durationMs: 60_000,
    });
    expect(with_({ sessionStatus: 'EXPIRED' })).toMatchObject({ status: 'expired', terminal: true });
    expect(with_({ sessionStatus: 'ERROR' })).toMatchObject({
      status: 'failed',
      terminal: true,
      providerStatus: 'ERROR',
    });
    expect(with_({ sessionStatus: 'CREATED', startedAt: null })).toMatchObject({
      status: 'in_progress',
      terminal: false,
    });
    expect(with_({ sessionStatus: 'RUNNING', outcome: 'accepted' }).decision).toBe('undecided');
  });

  it('idnow data blocks: shapes A, B and C', () => {
    const a = normaliseIdnowDataBlocks({
      dataBlocks: [
        {
          datablockId: 'db1',
          type: 'documentVerification',
          createdBy: { stepId: 'st1', clock: 3 },
          createdAt: '2025-01-07T10:34:00Z',
          status: 'STORED',
          content: { firstName: 'Erika', lastName: 'Mustermann', dateOfBirth: '1964-08-12' },
        },
        { datablockId: 'db0', type: 'selfie', createdBy: { stepId: 'st0', clock: 1 }, status: 'DELETED', content: {} },
      ],
    });
    expect(a).toStrictEqual({
      results: { documentVerification: { dataBlockId: 'db1' } },
      subject: { firstName: 'Erika', lastNames: ['Mustermann'], dateOfBirth: '1964-08-12' },
    });
    const b = normaliseIdnowDataBlocks({
      dataBlocks: [{ datablockId: 'db2', type: 'pepAndSanctionsResults', lastStep: { stepId: 'st2' }, hits: 0 }],
    });
    expect(b).toStrictEqual({ results: { pepAndSanctionsResults: { dataBlockId: 'db2' } } });
    const c = normaliseIdnowDataBlocks({
      datablocks: [
        {
          datablockId: 'db3',
          type: 'DocumentVerification',
          createdByStep: 'st3',
          givenName: 'Erika',
          familyName: 'Mustermann',
          birthDate: '1964-08-12',
          address: { city: 'Köln' },
        },
      ],
    });
    expect(c).toStrictEqual({
      results: { documentVerification: { dataBlockId: 'db3' } },
      subject: { firstName: 'Erika', lastNames: ['Mustermann'], dateOfBirth: '1964-08-12', address: { city: 'Köln' } },
    });
    expectProviderError(() => normaliseIdnowDataBlocks({}), 'dataBlocks', 'missing');
    // Shape C entries carry no datablockId (IDnow's docs): accepted, with no results entry for them.
    expect(normaliseIdnowDataBlocks({ datablocks: [{ type: 'x' }] })).toStrictEqual({ results: {} });
  });
});

describe('typed errors name the field', () => {
  it('unknown status values', () => {
    expectProviderError(() => normaliseGbgV2({ status: 'Archived' }, ctx('x')), 'status', 'unknown status "Archived"');
    expectProviderError(
      () => normaliseIdnowSession({ sessionStatus: 'PAUSED' }, ctx('x')),
      'sessionStatus',
      'unknown status "PAUSED"',
    );
    expectProviderError(() => normalise('gbg-go-v1', { status: 'Done' }, ctx('x')), 'status', 'unknown status "Done"');
  });

  it('wrong types, missing fields, non-objects', () => {
    expectProviderError(() => normaliseGbgV2({ status: 3 }, ctx('x')), 'status');
    expectProviderError(() => normaliseGbgV2({}, ctx('x')), 'status');
    expectProviderError(() => normaliseGbgV2([], ctx('x')), '(root)');
    expectProviderError(() => normaliseIdnowSession(null, ctx('x')), '(root)');
    expectProviderError(() => normaliseIdnowSession({ sessionStatus: ['RUNNING'] }, ctx('x')), 'sessionStatus');
    // Optional data of an odd shape is dropped, not fatal (test/providers.optional-data.test.ts).
  });

  it('messages never echo body values other than the status', () => {
    const e = expectProviderError(
      () =>
        normaliseGbgV2(
          { status: { code: 12345, lastNames: ['Secretname'] }, context: { subject: { identity: { firstName: 1 } } } },
          ctx('x'),
        ),
      'status',
    );
    expect(e.message).not.toContain('12345');
    expect(e.message).not.toContain('Secretname');
  });
});

describe('providerConfigFromEnv', () => {
  it('reads GBG and IDnow settings with defaults', () => {
    const config = providerConfigFromEnv({
      GBG_CLIENT_ID: 'id',
      GBG_CLIENT_SECRET: 'secret',
      GBG_USERNAME: 'u',
      GBG_PASSWORD: 'p',
      GBG_BASE_URL: 'http://127.0.0.1:4010/gbg/{region}',
      IDNOW_CLIENT_ID: 'iid',
      IDNOW_CLIENT_SECRET: 'isecret',
      IDNOW_CLIENT_AUTH: 'basic',
      IDNOW_FETCH_DATABLOCKS: 'true',
    });
    expect(config).toEqual({
      gbg: {
        tokenUrl: 'https://api.auth.gbgplc.com/as/token.oauth2',
        grant: 'password',
        clientId: 'id',
        clientSecret: 'secret',
        username: 'u',
        password: 'p',
        region: 'eu',
        baseUrl: 'http://127.0.0.1:4010/gbg/{region}',
      },
      idnow: {
        baseUrl: 'https://api.eu.platform.idnow.io',
        tokenUrl: 'https://auth.eu.platform.idnow.io/oidc/token',
        clientId: 'iid',
        clientSecret: 'isecret',
        clientAuth: 'basic',
        environment: 'live',
        fetchDataBlocks: true,
      },
    });
  });

  it('client_credentials defaults the scope to gbg.token; nothing set means not configured', () => {
    expect(providerConfigFromEnv({ GBG_CLIENT_ID: 'id', GBG_CLIENT_SECRET: 's', GBG_REGION: 'au' }).gbg).toMatchObject({
      grant: 'client_credentials',
      scope: 'gbg.token',
      region: 'au',
      baseUrl: 'https://{region}.platform.go.gbgplc.com',
    });
    expect(providerConfigFromEnv({})).toEqual({});
    expect(providerConfigFromEnv({ IDNOW_CLIENT_ID: 'i', IDNOW_CLIENT_SECRET: 's' }).idnow?.fetchDataBlocks).toBe(
      false,
    );
  });

  it('names each bad env var, never its value', () => {
    const bad = () =>
      providerConfigFromEnv({
        GBG_CLIENT_ID: 'id',
        GBG_CLIENT_SECRET: 'hunter2',
        GBG_GRANT: 'password',
        GBG_REGION: 'mars',
        IDNOW_CLIENT_ID: 'i',
        IDNOW_CLIENT_SECRET: 's',
        IDNOW_CLIENT_AUTH: 'jwt',
      });
    expect(bad).toThrow(ProviderConfigError);
    expect(bad).toThrow(/GBG_REGION/);
    expect(bad).toThrow(/IDNOW_CLIENT_AUTH/);
    expect(bad).not.toThrow(/hunter2/);
    expect(() => providerConfigFromEnv({ GBG_CLIENT_ID: 'id', GBG_CLIENT_SECRET: 's', GBG_GRANT: 'password' })).toThrow(
      /GBG_USERNAME: the password grant needs GBG_USERNAME and GBG_PASSWORD/,
    );
    expect(() =>
      providerConfigFromEnv({ IDNOW_CLIENT_ID: 'i', IDNOW_CLIENT_SECRET: 's', IDNOW_FETCH_DATABLOCKS: 'maybe' }),
    ).toThrow(/IDNOW_FETCH_DATABLOCKS/);
  });
});
