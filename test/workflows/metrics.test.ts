/**
 * The workflow's own metrics, scraped from a real Temporal Runtime's Prometheus endpoint (the worker's exporter)
 * while journeys run on the time-skipping server: a journey woken by a webhook, one that gives up. Replaying their
 * histories emits nothing more, and no label holds a journey id.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyWebhookSignal } from '../../src/contract/workflow';
import { WORKFLOW_METRICS } from '../../src/metrics';
import { workerPrometheusExporter } from '../../src/worker-metrics';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';
import { createJourneyWorker } from '../helpers/journey-worker';
import { startJourneyWorkflow } from '../helpers/start-journey';
import { installTestRuntime } from '../helpers/temporal-env';
import {
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  journeyInput,
  repeat,
  scriptedFetch,
  type FetchStep,
} from '../helpers/workflow-env';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let metricsUrl: string;

beforeAll(async () => {
  const bind = `127.0.0.1:${await freePort()}`;
  installTestRuntime(workerPrometheusExporter(bind));
  metricsUrl = `http://${bind}/metrics`;
  [env, bundle] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows()]);
});
afterAll(() => env?.teardown());

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  return res.text();
}

/** The sum of the samples of `name` whose labels include all of `labels` (the worker adds its own tags). */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.lastIndexOf('}')).includes(w)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

function journeyLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('journey_await_'));
}

describe('workflow metrics', () => {
  it('count journeys, polls and webhooks once, by class, and replay adds nothing', async () => {
    const taskQueue = `metrics-${randomUUID()}`;
    const woken = journeyInput();
    const exhausted = journeyInput({
      polling: { baseIntervalMs: 10_000, errorBackoffMs: 5_000, maxConsecutiveErrors: 3 },
    });
    const steps: Record<string, FetchStep[]> = {
      [woken.journeyId]: [{ status: 'in_progress' }, { status: 'completed' }],
      [exhausted.journeyId]: repeat({ fail: 'transient' }, 3),
    };
    const scripts = Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, scriptedFetch(env, s)]));
    const activities = {
      fetchState: (input: { journeyId: string }) => scripts[input.journeyId]!.activities.fetchState(input as never),
    };
    const worker = await createJourneyWorker(env, { bundle, taskQueue, activities });
    const histories = await worker.runUntil(async () => {
      const first = await startJourneyWorkflow(env.client, woken, { taskQueue });
      // Time stands still until a result is awaited: the webhook arrives during the first 10 s wait. One webhook
      // only: a second arriving while the closing task runs would make the server refuse that task, and its re-run
      // counts the end again (docs/operating.md: metrics from the workflow are at least once).
      await eventually(() => (scripts[woken.journeyId]!.calls.length === 1 ? true : undefined));
      await first.signal(journeyWebhookSignal, { eventId: 'event-1' });
      const second = await startJourneyWorkflow(env.client, exhausted, { taskQueue });
      await first.result();
      await expect(second.result()).rejects.toThrow();
      return [await first.fetchHistory(), await second.fetchHistory()];
    });

    const text = await scrape();
    const p = { provider: 'gbg-go-v2' };
    const finished = WORKFLOW_METRICS.journeysFinished;
    expect(total(text, finished, { ...p, status: 'completed', decision: 'accepted', source: 'webhook' })).toBe(1);
    expect(total(text, finished, { ...p, status: 'failed', failure_type: 'JourneyPollingExhausted' })).toBe(1);
    expect(total(text, finished)).toBe(2);
    expect(total(text, WORKFLOW_METRICS.polls, { ...p, trigger: 'schedule' })).toBe(4);
    expect(total(text, WORKFLOW_METRICS.polls, { ...p, trigger: 'webhook' })).toBe(1);
    expect(total(text, WORKFLOW_METRICS.webhooks, p)).toBe(1);
    expect(total(text, WORKFLOW_METRICS.webhooksChangedOutcome, p)).toBe(1);
    expect(total(text, `${WORKFLOW_METRICS.pollJourneyAge}_count`, p)).toBe(5);
    expect(total(text, `${WORKFLOW_METRICS.journeyPolls}_count`, p)).toBe(2);
    expect(total(text, `${WORKFLOW_METRICS.journeyPolls}_sum`, p)).toBe(2 + 3);
    expect(total(text, `${WORKFLOW_METRICS.journeyDuration}_count`, { ...p, status: 'failed' })).toBe(1);
    // The exhausted journey waited 15 + 20 s of Temporal's clock between its three fetches.
    expect(total(text, `${WORKFLOW_METRICS.journeyDuration}_sum`, { ...p, status: 'failed' })).toBeGreaterThanOrEqual(
      35,
    );
    for (const line of journeyLines(text)) {
      expect(line).not.toContain(woken.journeyId);
      expect(line).not.toContain(exhausted.journeyId);
    }

    for (const history of histories) await Worker.runReplayHistory({ workflowBundle: bundle }, history);
    expect(journeyLines(await scrape())).toEqual(journeyLines(text));
  });
});
