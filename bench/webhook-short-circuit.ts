/**
 * 2. Webhook short-circuit: pairs of journeys that both poll every 10 s and both complete at the provider at
 * the same moment T. For one of each pair the provider's webhook is sent at T: the simulator POSTs a GBG
 * webhook (HTTP Basic) to the product's webhook receiver (createWebhookServer, in this process), which signals
 * the workflow; the other journey only polls. Measured from history event timestamps:
 * T → WorkflowExecutionCompleted for each, and T → WorkflowExecutionSignaled for the webhook one.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getJourneyHandle, startJourneyAwait } from '../src/client';
import { createWebhookServer } from '../src/webhooks/server';
import { eventMs, EventType, firstOf, historyOf } from './history';
import { mapLimit, scriptJourney, sleepMs, type Stack } from './stack';
import { rounded, summarize, type Summary } from './stats';

export const WEBHOOK_TASK_QUEUE = 'bench-webhook';

export interface WebhookOptions {
  pairs: number;
  intervalMs: number;
}

export interface WebhookResult {
  options: WebhookOptions;
  delivery: 'webhook receiver (HTTP POST from the simulator, GBG Basic auth)';
  /** T (provider completes, webhook POSTed) → workflow completed. */
  webhookToCompletionMs: Summary;
  /** T → WorkflowExecutionSignaled: the webhook reaching the workflow's history. */
  webhookPostMs: Summary;
  webhookToSignaledMs: Summary;
  /** T → the poll-only workflow completed. */
  pollOnlyToCompletionMs: Summary;
  /** Every journey's result source, to check that the webhook one was decided by the webhook-triggered fetch. */
  sources: { webhook: Record<string, number>; pollOnly: Record<string, number> };
}

const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

export async function runWebhookShortCircuit(
  stack: Stack,
  opts: WebhookOptions,
  log: (msg: string) => void,
): Promise<WebhookResult> {
  const { client, worker, simulatorUrl } = stack;
  await worker.call('startWorker', { taskQueue: WEBHOOK_TASK_QUEUE });
  const basic = { username: 'bench', password: randomUUID() };
  const receiver = createWebhookServer({ client, config: { auth: { gbg: { basic } }, taskQueue: WEBHOOK_TASK_QUEUE } });
  await receiver.listen({ host: '127.0.0.1', port: 0 });
  const receiverUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/webhooks/gbg-go-v2`;
  const postMs: number[] = [];
  try {
    const tag = randomUUID().slice(0, 8);
    const pairs = Array.from({ length: opts.pairs }, (_, i) => ({
      webhook: `wh-${tag}-${i}-webhook`,
      pollOnly: `wh-${tag}-${i}-poll-only`,
    }));
    log(
      `webhook short-circuit: ${opts.pairs} pairs polling every ${opts.intervalMs / 1000} s; completions spread over one interval…`,
    );
    const start = async (journeyId: string) => {
      const input = { provider: 'gbg-go-v2', journeyId, polling: { baseIntervalMs: opts.intervalMs } } as const;
      await startJourneyAwait(client, input, { taskQueue: WEBHOOK_TASK_QUEUE });
      return getJourneyHandle(client, input);
    };
    const handles = await mapLimit(pairs, 16, async (p) => ({
      webhook: await start(p.webhook),
      pollOnly: await start(p.pollOnly),
    }));
    const t0 = Date.now();
    // Pair i completes at a point spread evenly over one poll interval (stratified, with jitter), after the first poll.
    const completedAt = await Promise.all(
      pairs.map(async (p, i) => {
        const offset = 1_000 + ((i + Math.random()) / opts.pairs) * opts.intervalMs;
        await sleepMs(t0 + offset - Date.now());
        await Promise.all([
          scriptJourney(simulatorUrl, 'gbg-go-v2', p.webhook, ['completed']),
          scriptJourney(simulatorUrl, 'gbg-go-v2', p.pollOnly, ['completed']),
        ]);
        const t = Date.now();
        const res = await fetch(`${simulatorUrl}/__admin/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            provider: 'gbg-go-v2',
            journeyId: p.webhook,
            url: receiverUrl,
            status: 'Completed',
            auth: { type: 'basic', ...basic },
          }),
        });
        const sent = (await res.json()) as { status?: number; body?: string };
        postMs.push(Date.now() - t);
        if (res.status !== 200 || !sent.status || sent.status >= 300) {
          throw new Error(`webhook not accepted: simulator ${res.status}, receiver ${sent.status} ${sent.body ?? ''}`);
        }
        return t;
      }),
    );
    const results = await Promise.all(
      handles.map(async (h) => ({ webhook: await h.webhook.result(), pollOnly: await h.pollOnly.result() })),
    );
    const toCompletion: number[] = [];
    const toSignaled: number[] = [];
    const pollOnly: number[] = [];
    await mapLimit(handles, 8, async (h, i) => {
      const t = completedAt[i]!;
      const a = await historyOf(client, h.webhook.workflowId);
      const b = await historyOf(client, h.pollOnly.workflowId);
      toCompletion.push(eventMs(firstOf(a, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)!) - t);
      toSignaled.push(eventMs(firstOf(a, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)!) - t);
      pollOnly.push(eventMs(firstOf(b, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)!) - t);
    });
    return {
      options: opts,
      delivery: 'webhook receiver (HTTP POST from the simulator, GBG Basic auth)',
      webhookPostMs: rounded(summarize(postMs), 0),
      webhookToCompletionMs: rounded(summarize(toCompletion), 0),
      webhookToSignaledMs: rounded(summarize(toSignaled), 0),
      pollOnlyToCompletionMs: rounded(summarize(pollOnly), 0),
      sources: {
        webhook: count(results.map((r) => r.webhook.source)),
        pollOnly: count(results.map((r) => r.pollOnly.source)),
      },
    };
  } finally {
    await receiver.close();
    await worker.call('stopWorker', { taskQueue: WEBHOOK_TASK_QUEUE });
  }
}
