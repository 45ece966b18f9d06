/**
 * 2. Webhook short-circuit: pairs of journeys that both poll every 10 s and both complete at the provider at
 * the same moment T. For one of each pair the provider's webhook arrives at T (here: the `journeyWebhook`
 * signal sent straight through the client); the other only polls. Measured from history event timestamps:
 * T → WorkflowExecutionCompleted for each, and T → WorkflowExecutionSignaled for the webhook one.
 */
import { randomUUID } from 'node:crypto';
import { journeyWebhookSignal } from '../src/shared';
import { startJourneyWorkflow } from '../src/start';
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
  delivery: 'signal';
  /** T (provider completes, webhook sent) → workflow completed. */
  webhookToCompletionMs: Summary;
  /** T → WorkflowExecutionSignaled: the webhook reaching the workflow's history. */
  webhookToSignaledMs: Summary;
  /** T → the poll-only workflow completed. */
  pollOnlyToCompletionMs: Summary;
  /** Every journey's result source, to check that the webhook one was decided by the webhook-triggered fetch. */
  sources: { webhook: Record<string, number>; pollOnly: Record<string, number> };
}

const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

export async function runWebhookShortCircuit(stack: Stack, opts: WebhookOptions, log: (msg: string) => void): Promise<WebhookResult> {
  const { client, worker, simulatorUrl } = stack;
  await worker.call('startWorker', { taskQueue: WEBHOOK_TASK_QUEUE });
  try {
    const tag = randomUUID().slice(0, 8);
    const pairs = Array.from({ length: opts.pairs }, (_, i) => ({ webhook: `wh-${tag}-${i}-a`, pollOnly: `wh-${tag}-${i}-b` }));
    log(`webhook short-circuit: ${opts.pairs} pairs polling every ${opts.intervalMs / 1000} s; completions spread over one interval…`);
    const handles = await mapLimit(pairs, 16, async (p) => ({
      webhook: await startJourneyWorkflow(client, { provider: 'gbg-go-v2', journeyId: p.webhook, polling: { baseIntervalMs: opts.intervalMs } }, { taskQueue: WEBHOOK_TASK_QUEUE }),
      pollOnly: await startJourneyWorkflow(client, { provider: 'gbg-go-v2', journeyId: p.pollOnly, polling: { baseIntervalMs: opts.intervalMs } }, { taskQueue: WEBHOOK_TASK_QUEUE }),
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
        await handles[i]!.webhook.signal(journeyWebhookSignal, { eventId: `evt-${p.webhook}`, providerStatus: 'Completed', receivedAt: new Date(t).toISOString() });
        return t;
      }),
    );
    const results = await Promise.all(handles.map(async (h) => ({ webhook: await h.webhook.result(), pollOnly: await h.pollOnly.result() })));
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
      delivery: 'signal',
      webhookToCompletionMs: rounded(summarize(toCompletion), 0),
      webhookToSignaledMs: rounded(summarize(toSignaled), 0),
      pollOnlyToCompletionMs: rounded(summarize(pollOnly), 0),
      sources: { webhook: count(results.map((r) => r.webhook.source)), pollOnly: count(results.map((r) => r.pollOnly.source)) },
    };
  } finally {
    await worker.call('stopWorker', { taskQueue: WEBHOOK_TASK_QUEUE });
  }
}
