/**
 * fetchState's metrics, scraped from a real Temporal Runtime's Prometheus endpoint (the worker's exporter, with the
 * product's buckets) while the real activity talks HTTP to the provider simulator: one sample per fetch, by
 * provider, outcome class and HTTP status class, and a duration histogram in seconds. No journey id in any label.
 */
import { Runtime } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFetchState, withFetchMetrics } from '../../src/activities';
import type { FetchStateInput } from '../../src/contract/journey-state';
import { FETCH_METRICS } from '../../src/metrics';
import { workerPrometheusExporter } from '../../src/worker-metrics';
import { freePort } from '../helpers/free-ports';
import { useSimulator } from '../helpers/simulator-fixture';

const fixture = useSimulator();
let metricsUrl: string;

beforeAll(async () => {
  const bind = `127.0.0.1:${await freePort()}`;
  Runtime.install({ telemetryOptions: { metrics: workerPrometheusExporter(bind) } });
  metricsUrl = `http://${bind}/metrics`;
});

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the one sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.lastIndexOf('}')).includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function fetchOnce(journeyId: string, script: string[], totalTimeoutMs = 3_000): Promise<void> {
  fixture.sim.script('gbg-go-v2', journeyId, script);
  // The Runtime's own meter: an activity's context meter is the same one with the worker's tags added (the mock
  // activity environment of @temporalio/testing 1.24 drops the meter it is given).
  const fetchState = withFetchMetrics(
    createFetchState({
      config: fixture.sim.providerConfig(),
      dispatcher: fixture.agent,
      http: { headersTimeoutMs: totalTimeoutMs, bodyTimeoutMs: totalTimeoutMs, totalTimeoutMs },
    }),
    () => Runtime.instance().metricMeter,
  );
  const input: FetchStateInput = { provider: 'gbg-go-v2', journeyId };
  await fetchState(input).catch(() => undefined);
}

describe('fetchState metrics', () => {
  it('counts each fetch by outcome class and HTTP status class, and times it in seconds', async () => {
    const cases: [string, string[], string, string][] = [
      ['journey-id-m-ok-1', ['completed'], 'ok', '2xx'],
      ['journey-id-m-503-1', ['503'], 'transient', '5xx'],
      ['journey-id-m-429-1', ['429 retry-after 20'], 'rate_limited', '4xx'],
      ['journey-id-m-400-1', ['400'], 'rejected', '4xx'],
      ['journey-id-m-reset-1', ['reset'], 'transient', 'none'],
    ];
    for (const [id, script] of cases) await fetchOnce(id, script);
    await fetchOnce('journey-id-m-slow-1', ['slow 5s'], 300);
    cases.push(['journey-id-m-slow-1', [], 'timeout', 'none']);

    const text = await scrape();
    for (const [, , outcome, cls] of cases) {
      const expected = cases.filter((c) => c[2] === outcome && c[3] === cls).length;
      expect(
        sample(text, FETCH_METRICS.fetches, { provider: 'gbg-go-v2', outcome, http_status_class: cls }),
        `${outcome} ${cls}`,
      ).toBe(expected);
    }
    // Seconds, with the product's buckets (7.5 s is one of them, not one of the exporter's defaults).
    const count = (outcome: string) =>
      sample(text, `${FETCH_METRICS.fetchDuration}_count`, { provider: 'gbg-go-v2', outcome });
    expect(count('ok')).toBe(1);
    expect(count('timeout')).toBe(1);
    const timeoutSum = sample(text, `${FETCH_METRICS.fetchDuration}_sum`, {
      provider: 'gbg-go-v2',
      outcome: 'timeout',
    });
    expect(timeoutSum).toBeGreaterThanOrEqual(0.3);
    expect(timeoutSum).toBeLessThan(5);
    expect(sample(text, `${FETCH_METRICS.fetchDuration}_bucket`, { outcome: 'timeout', le: '7.5' })).toBe(1);
    expect(sample(text, `${FETCH_METRICS.fetchDuration}_bucket`, { outcome: 'timeout', le: '0.25' })).toBe(0);
    // Classes only: no journey id anywhere in the product's series.
    const ours = text.split('\n').filter((l) => l.startsWith('journey_await_'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((l) => l.includes('journey-id-m-'))).toEqual([]);
  });
});
