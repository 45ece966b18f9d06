/**
 * `redriveJourneys`, `listJourneys({ staleFor })` and their CLI commands check every filter before anything is sent
 * to Temporal: the client points at a stand-in frontend that records each call, and none may reach it.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli';
import {
  awaitJourneyResult,
  connectClient,
  InvalidJourneyInputError,
  listJourneys,
  redriveJourneys,
} from '../../src/client';
import { startRefusingTemporal } from '../helpers/refusing-temporal';
import { runCliCaptured } from '../helpers/run-cli';

let temporal: Awaited<ReturnType<typeof startRefusingTemporal>>;
let client: Client;

beforeAll(async () => {
  temporal = await startRefusingTemporal();
  client = await connectClient({ lazy: true, connectionOptions: { address: temporal.address } });
});

afterAll(async () => {
  await client?.connection.close();
  await temporal?.close();
});

/** The typed error's field, or what was thrown or returned instead. */
async function fieldOf(call: () => unknown): Promise<string> {
  try {
    return `no error: ${JSON.stringify(await call())}`;
  } catch (err) {
    return err instanceof InvalidJourneyInputError ? err.field : `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('client library', () => {
  it('a bad redrive filter names its field, and nothing is sent', async () => {
    const cases: [unknown, string][] = [
      [null, 'filter'],
      [{ failure: 'JourneyPollingExhausted' }, 'failure'],
      [{ failures: [] }, 'failures'],
      [{ failures: ['InvalidJourneyInput'] }, 'failures'],
      [{ failures: 'JourneyPollingExhausted' }, 'failures'],
      [{ provider: "idnow' OR 'a'='a" }, 'provider'],
      [{ since: 'yesterday' }, 'since'],
      [{ since: new Date(Number.NaN) }, 'since'],
      [{ until: '2026-12-06T10:00:00' }, 'until'],
      [{ since: '2026-12-06T10:00:00Z', until: '2026-12-06T09:00:00Z' }, 'until'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 1e9 }, 'limit'],
      [{ dryRun: 'yes' }, 'dryRun'],
      [{ taskQueue: 'has space' }, 'taskQueue'],
    ];
    for (const [filter, field] of cases)
      expect(await fieldOf(() => redriveJourneys(client, filter as never)), JSON.stringify(filter)).toBe(field);
    expect(temporal.calls).toEqual([]);
  });

  it('a stale duration out of range, or with running: false, names staleFor; nothing is sent', async () => {
    for (const staleFor of [0, 999, -1, Number.NaN, 1.5, 1e12])
      expect(await fieldOf(() => listJourneys(client, { staleFor })), String(staleFor)).toBe('staleFor');
    expect(await fieldOf(() => listJourneys(client, { staleFor: 60_000, running: false }))).toBe('staleFor');
    expect(temporal.calls).toEqual([]);
  });

  it('waiting including re-drives: a bad flag or check interval names it; nothing is sent', async () => {
    const ref = { provider: 'idnow', journeyId: 'args-redrive-wait' } as const;
    for (const redriveCheckIntervalMs of [0, 99, Number.NaN, 4e6])
      expect(
        await fieldOf(() => awaitJourneyResult(client, ref, { includeRedrives: true, redriveCheckIntervalMs })),
      ).toBe('redriveCheckIntervalMs');
    expect(await fieldOf(() => awaitJourneyResult(client, ref, { includeRedrives: 'yes' as never }))).toBe(
      'includeRedrives',
    );
    expect(temporal.calls).toEqual([]);
  });

  it('a good filter does reach Temporal (here: refused, so a typed access error)', async () => {
    const err = await redriveJourneys(client, { since: new Date(0) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TemporalAccessDeniedError');
    expect(temporal.calls.length).toBeGreaterThan(0);
    temporal.calls.length = 0;
  });
});

describe('CLI', () => {
  it('bad redrive and list --stale options exit 2 naming the option, before connecting', async () => {
    const cases: [string[], RegExp][] = [
      [['redrive', '--failure', 'Boom'], /--failure: unknown failure/],
      [['redrive', '--failure', 'JourneyPollingExhausted,'], /--failure: unknown failure/],
      [['redrive', '--since', 'yesterday'], /--since: expected a duration ago like 2h/],
      [['redrive', '--until', '2026-13-01T00:00:00Z'], /--until: expected a duration/],
      [['redrive', '--since', '1h', '--until', '2h'], /--until: must not be before since/],
      [['redrive', '--limit', '0'], /--limit: must be a whole number from 1 to 10000/],
      [['redrive', '--provider', 'onfido'], /--provider: unknown provider/],
      [['redrive', '--status', 'failed'], /--status does not apply to redrive/],
      [['redrive', 'idnow'], /unexpected argument/],
      [['list', '--stale', 'soon'], /--stale: expected a duration/],
      [['list', '--stale', '500ms'], /--stale: must be a whole number from 1000 to/],
      [['list', '--stale', '10m', '--closed'], /--stale lists running journeys/],
      [['start', 'idnow', 'abcdefgh', '--stale', '1m'], /--stale does not apply to start/],
      [['list', '--dry-run'], /--dry-run does not apply to list/],
    ];
    for (const [args, message] of cases) {
      const r = await runCliCaptured(client, args);
      expect(r.code, args.join(' ')).toBe(EXIT.USAGE);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(temporal.calls).toEqual([]);
  });

  it('without a client of its own, a bad redrive filter exits 2 before the CLI even connects', async () => {
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = temporal.address;
    try {
      for (const args of [
        ['redrive', '--since', '1h', '--until', '2h'],
        ['redrive', '--limit', '10001'],
      ]) {
        let err = '';
        const code = await runCli(args, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
        expect(code, args.join(' ')).toBe(EXIT.USAGE);
        expect(err).toMatch(/--until: must not be before since|--limit: must be a whole number/);
      }
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
      else process.env.TEMPORAL_ADDRESS = saved;
    }
    expect(temporal.calls).toEqual([]);
  });
});
