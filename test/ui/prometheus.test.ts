/**
 * The metrics, alerts and dashboard checked by a real Prometheus (Debian's `prometheus`), not by reading files: it
 * scrapes the local stack's worker and webhook receiver every second while the demo runs, with the repository's
 * alert rules loaded. Every metric docs/operating.md lists has samples, every dashboard query returns data, and each
 * alert is in the state the demo leads to. A misspelt metric name in the code, the docs, the rules or the dashboard
 * fails here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS, IN_PROGRESS_SCENARIO, runDemo, type DemoResult } from '../../dev/stack/demo';
import { startLocalStack, type LocalStack } from '../../dev/stack/local-stack';
import { prometheusConfig } from '../../dev/stack/prometheus-config';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';
import { freeStackPorts, machineEnv } from '../helpers/local-stack-setup';

const PROMETHEUS = '/usr/bin/prometheus';
const root = path.join(__dirname, '../..');

let stack: LocalStack | undefined;
let prometheus: ChildProcess | undefined;
let prometheusUrl = '';
let dataDir: string | undefined;
let results: DemoResult[] = [];
const demoLog: string[] = [];
const prometheusLog: string[] = [];

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promql: string): Promise<Sample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data!.result;
}

/** The items `isMissing` still holds after retrying for up to 20 s (scrapes and rule evaluations lag a little). */
async function untilEmpty<T>(isMissing: (item: T) => Promise<boolean>, items: T[]): Promise<T[]> {
  let left = items;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const still: T[] = [];
    for (const item of left) if (await isMissing(item)) still.push(item);
    left = still;
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Alert name → its state in Prometheus's rule evaluation: inactive, pending or firing. */
async function alertStates(): Promise<Record<string, string>> {
  const res = await fetch(`${prometheusUrl}/api/v1/rules?type=alert`);
  const body = (await res.json()) as { data: { groups: { rules: { name: string; state: string }[] }[] } };
  return Object.fromEntries(body.data.groups.flatMap((g) => g.rules.map((r) => [r.name, r.state])));
}

/** The metric names of the table in docs/operating.md "Metrics, alerts, traces". */
function documentedMetrics(): string[] {
  const doc = readFileSync(path.join(root, 'docs/operating.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Metrics, alerts, traces'));
  return [...section.matchAll(/^\| `(journey_await_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => m[1]!);
}

/** Every PromQL expression of the Grafana dashboard, with its provider filter set to "All". */
function dashboardQueries(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(path.join(root, 'ops/grafana/journey-await.json'), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$provider', '.*') })),
  );
}

/** Webhooks with wrong Basic credentials: the receiver refuses them (401) and counts them. */
async function sendForgedWebhooks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${stack!.webhookUrl}/webhooks/gbg-go-v2`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('intruder:guess').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(res.status).toBe(401);
  }
}

async function startPrometheus(): Promise<void> {
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  const config = path.join(dataDir!, 'prometheus-test.yml');
  writeFileSync(
    config,
    prometheusConfig({ worker: stack!.metricsUrl, webhooks: stack!.webhookMetricsUrl }, { scrapeInterval: '1s' }),
  );
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dataDir!, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr!.on('data', (chunk: Buffer) => prometheusLog.push(chunk.toString()));
  const ready = await eventually(async () => {
    const res = await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined);
    return res?.ok ? true : undefined;
  }, 30_000);
  if (!ready) throw new Error(`prometheus did not become ready:\n${prometheusLog.join('')}`);
  // Ready is not scraping yet (target discovery takes a few seconds): the demo starts once both targets are up.
  const scraping = await eventually(async () => {
    const up = await query('up == 1');
    return up.length === 2 ? true : undefined;
  }, 30_000);
  if (!scraping) throw new Error(`prometheus does not scrape the worker and the receiver:\n${prometheusLog.join('')}`);
}

describe('metrics, alerts and dashboard on a real Prometheus', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'journey-await-prometheus-'));
    stack = await startLocalStack({ dataDir, ports: await freeStackPorts(), env: machineEnv(), log: () => {} });
    await startPrometheus();
    // Two refused webhooks before the demo, more after: the counter's increase spans several scrapes.
    await sendForgedWebhooks(2);
    results = await runDemo(stack, {
      scenarios: [...DEMO_SCENARIOS, IN_PROGRESS_SCENARIO],
      log: (line) => demoLog.push(line),
    });
    await sendForgedWebhooks(8);
  });

  afterAll(async () => {
    prometheus?.kill();
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the demo ran as its scenarios say', () => {
    expect(
      results.filter((r) => !r.asExpected),
      demoLog.join('\n'),
    ).toEqual([]);
  });

  it('every documented metric has samples', async () => {
    const metrics = documentedMetrics();
    expect(metrics.length).toBeGreaterThanOrEqual(14);
    const missing = await untilEmpty(
      async (name) => (await query(`{__name__=~"${name}|${name}_count"}`)).length === 0,
      metrics,
    );
    expect(missing, 'documented metrics without samples').toEqual([]);
  });

  it('every dashboard query returns data', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const empty = await untilEmpty(async (q) => (await query(q.expr)).length === 0, queries);
    expect(
      empty.map((q) => `${q.panel}: ${q.expr}`),
      'dashboard queries without data',
    ).toEqual([]);
  });

  it('each alert is in the state the demo leads to', async () => {
    // The demo's give-up journey and the forged webhooks fire at once; the failing gbg-go-v2 fetches wait out the
    // rule's `for: 10m` as pending; nothing is old, webhooks arrive and workers poll.
    const expected = {
      JourneyPollingExhausted: 'firing',
      JourneyWebhookAuthFailuresSpiking: 'firing',
      JourneyProviderErrorRatioHigh: 'pending',
      JourneyWebhooksMissing: 'inactive',
      JourneyInProgressTooLong: 'inactive',
      JourneyWorkersDown: 'inactive',
    };
    let states: Record<string, string> = {};
    await eventually(async () => {
      states = await alertStates();
      return Object.entries(expected).every(([name, state]) => states[name] === state) ? true : undefined;
    }, 30_000);
    expect(states).toEqual(expected);
    const firing = await query('ALERTS{alertstate="firing"}');
    expect(firing.find((s) => s.metric.alertname === 'JourneyPollingExhausted')?.metric.provider).toBe('gbg-go-v2');
  });
});
