/**
 * `npm run demo`: a tour of journey-await against the local stack. It uses the running `npm start` (its
 * stack.json) or starts a stack of its own (and stops it at the end), then drives journeys of all three providers
 * through the provider simulator: completed after a few polls, completed early by a signed webhook, an error burst
 * survived, failed/aborted/expired at the provider, and polling given up after 30 errors. It prints progress while
 * they run, then a table of the normalised results and each workflow's Web UI link.
 */
import type { Client } from '@temporalio/client';
import {
  awaitJourneyResult,
  connectClient,
  JourneyWorkflowFailedError,
  startJourneyAwait,
  type JourneyProgress,
} from '../../src/client';
import { journeyDataConverter, temporalConnectionFromEnv } from '../../src/config';
import type { JourneyState } from '../../src/contract/journey-state';
import { PROVIDERS, type JourneyProvider } from '../../src/contract/vocabulary';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import type { AwaitJourneyInput } from '../../src/contract/input';
import type { PollingPolicy } from '../../src/contract/polling';
import { journeyProgressQuery } from '../../src/contract/workflow';
import type { ScriptEntry } from '../simulator';
import { readRunningStack, startLocalStack, type LocalStack, type StackInfo } from './local-stack';
import { watchParent } from './parent-watch';
import { StackSettingError } from './ports';
import { scriptJourney, sendProviderWebhook } from './simulator-admin';
import { stackOptionsFrom } from './stack-options';

/** Fast enough to watch: polls every 2 s, +1 s per failed fetch (the real default is 10 s, +5 s). */
const DEMO_PACE: Partial<PollingPolicy> = { baseIntervalMs: 2_000, errorBackoffMs: 1_000 };
/** 30 failed fetches at the real pace take ~40 minutes; at this pace ~30 s. */
const GIVE_UP_PACE: Partial<PollingPolicy> = { baseIntervalMs: 1_000, errorBackoffMs: 0 };

export interface DemoScenario {
  /** What it shows, in a few words. */
  title: string;
  provider: JourneyProvider;
  /** Journey id prefix; the simulator's naming convention where one fits, so ids read as what they do. */
  prefix: string;
  /** The simulator's answers, one per fetch; the last repeats. */
  script: ScriptEntry[];
  /** Default: the real schedule (10 s). */
  polling?: Partial<PollingPolicy>;
  /** Send the provider's signed webhook once the workflow has polled this many times. */
  webhookAfterPolls?: number;
  /** Start it and leave it in progress (not awaited). */
  leaveRunning?: boolean;
  expect: { status: DemoResult['status']; source?: JourneyState['source'] };
}

export const DEMO_SCENARIOS: DemoScenario[] = [
  ...PROVIDERS.flatMap((provider): DemoScenario[] => [
    {
      title: 'completes after 3 polls',
      provider,
      prefix: 'sim-complete-after-2',
      script: ['in_progress x2', 'completed'],
      expect: { status: 'completed', source: 'poll' },
    },
    // In progress at the first poll; the webhook that follows wakes the workflow, whose fetch then sees "completed".
    {
      title: 'webhook ends the wait early',
      provider,
      prefix: 'sim-webhook',
      script: ['in_progress', 'completed'],
      webhookAfterPolls: 1,
      expect: { status: 'completed', source: 'webhook' },
    },
  ]),
  {
    title: 'survives an error burst',
    provider: 'gbg-go-v2',
    prefix: 'sim-error-burst',
    script: ['503 x2', '500', '429 retry-after 2', 'reset', 'in_progress', 'completed'],
    polling: DEMO_PACE,
    expect: { status: 'completed' },
  },
  {
    title: 'rejected by the provider',
    provider: 'idnow',
    prefix: 'sim-reject-after-1',
    script: ['in_progress', 'completed outcome=rejected'],
    polling: DEMO_PACE,
    expect: { status: 'completed' },
  },
  {
    title: 'fails at the provider',
    provider: 'gbg-go-v1',
    prefix: 'sim-fail-after-1',
    script: ['in_progress', 'failed'],
    polling: DEMO_PACE,
    expect: { status: 'failed' },
  },
  {
    title: 'aborted by the user',
    provider: 'idnow',
    prefix: 'sim-abort-after-1',
    script: ['in_progress', 'aborted'],
    polling: DEMO_PACE,
    expect: { status: 'aborted' },
  },
  {
    title: 'expires at the provider',
    provider: 'idnow',
    prefix: 'sim-expire-after-1',
    script: ['in_progress', 'expired'],
    polling: DEMO_PACE,
    expect: { status: 'expired' },
  },
  {
    title: 'gives up after 30 errors',
    provider: 'gbg-go-v2',
    prefix: 'sim-http-503',
    script: ['503'],
    polling: GIVE_UP_PACE,
    expect: { status: 'gave up' },
  },
];

/** Opt-in: a journey that stays in progress, for looking at a running workflow in the Web UI. */
export const IN_PROGRESS_SCENARIO: DemoScenario = {
  title: 'stays in progress',
  provider: 'gbg-go-v2',
  prefix: 'sim-in-progress',
  script: ['in_progress'],
  leaveRunning: true,
  expect: { status: 'in_progress' },
};

export interface DemoResult {
  title: string;
  provider: JourneyProvider;
  journeyId: string;
  workflowId: string;
  /** The normalised status, `gave up` when polling was exhausted, `in_progress` for a journey left running. */
  status: JourneyState['status'] | 'gave up' | 'workflow failed';
  decision?: JourneyState['decision'];
  source?: JourneyState['source'];
  providerStatus?: string;
  polls?: number;
  /** The failure type of a workflow that ended without a state (e.g. JourneyPollingExhausted). */
  failure?: string;
  uiLink?: string;
  /** The scenario ended as it should. */
  asExpected: boolean;
}

export interface DemoOptions {
  scenarios?: DemoScenario[];
  /** Progress lines (default: stdout). */
  log?: (line: string) => void;
  /** Suffix that makes this run's journey ids unique (default: the time, base 36). */
  runId?: string;
  /** Give up waiting for a journey after this long. Default 3 min. */
  timeoutMs?: number;
}

/** A client for the stack: its Temporal address and namespace, its encryption keys (the payloads are encrypted). */
export async function connectToStack(stack: StackInfo): Promise<Client> {
  const { connectionOptions } = temporalConnectionFromEnv({ env: stack.env }); // TLS / API key of a real cluster
  return connectClient({
    connectionOptions: { ...connectionOptions, address: stack.temporalAddress },
    namespace: stack.namespace,
    dataConverter: journeyDataConverter(stack.env),
  });
}

export function workflowUiLink(stack: StackInfo, workflowId: string): string | undefined {
  return (
    stack.uiUrl &&
    `${stack.uiUrl}/namespaces/${encodeURIComponent(stack.namespace)}/workflows/${encodeURIComponent(workflowId)}`
  );
}

/** `poll 2 · in_progress · errors 0/30 · next in 10s`: counts and status, never the journey's data. */
function describeProgress(p: JourneyProgress, policy: Partial<PollingPolicy> | undefined): string {
  const parts = [
    `poll ${p.polls}`,
    p.lastState?.status ?? 'no state yet',
    `errors ${p.consecutiveErrors}/${p.maxConsecutiveErrors ?? policy?.maxConsecutiveErrors ?? 30}`,
  ];
  if (p.webhooksReceived > 0) parts.push(`webhooks ${p.webhooksReceived}`);
  if (p.nextPollAt) parts.push(`next in ${Math.max(0, Math.round((Date.parse(p.nextPollAt) - Date.now()) / 1000))}s`);
  if (p.consecutiveErrors > 0 && p.lastError)
    parts.push(p.lastError.length > 60 ? `${p.lastError.slice(0, 59)}…` : p.lastError);
  return parts.join(' · ');
}

function describePolicy(policy: Partial<PollingPolicy> | undefined): string {
  if (!policy) return 'every 10s (the real schedule)';
  return `every ${policy.baseIntervalMs! / 1000}s, +${policy.errorBackoffMs! / 1000}s per error (demo pace)`;
}

export async function runDemo(stack: StackInfo, options: DemoOptions = {}): Promise<DemoResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runId = options.runId ?? Date.now().toString(36);
  const scenarios = (options.scenarios ?? DEMO_SCENARIOS).filter((s) => {
    if (stack.simulatedProviders.includes(s.provider)) return true;
    log(`skipping "${s.title}" (${s.provider}): this stack talks to the real ${s.provider}, not the simulator`);
    return false;
  });
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1).padStart(5)}s`;
  const width = Math.max(...scenarios.map((s) => `${s.prefix}-${runId}`.length));
  const client = await connectToStack(stack);
  try {
    const runOne = async (scenario: DemoScenario): Promise<DemoResult> => {
      const journeyId = `${scenario.prefix}-${runId}`;
      const workflowId = journeyWorkflowId(scenario.provider, journeyId);
      const say = (text: string) =>
        log(`${elapsed()}  ${scenario.provider.padEnd(9)}  ${journeyId.padEnd(width)}  ${text}`);
      const base = {
        title: scenario.title,
        provider: scenario.provider,
        journeyId,
        workflowId,
        uiLink: workflowUiLink(stack, workflowId),
      };

      await scriptJourney(stack, scenario.provider, journeyId, scenario.script);
      const input: AwaitJourneyInput = {
        provider: scenario.provider,
        journeyId,
        ...(scenario.polling ? { polling: scenario.polling } : {}),
      };
      await startJourneyAwait(client, input, { taskQueue: stack.taskQueue });
      say(`started: ${scenario.title}, polling ${describePolicy(scenario.polling)}`);
      if (scenario.leaveRunning)
        return { ...base, status: 'in_progress', asExpected: scenario.expect.status === 'in_progress' };

      let webhook: Promise<void> | undefined;
      let last: JourneyProgress | undefined;
      let lastPrinted = { polls: -1, errors: 0, at: 0 };
      const onProgress = (p: JourneyProgress) => {
        // Only between polls (nextPollAt set): during a fetch the poll count is ahead of its outcome.
        if (!p.nextPollAt) return;
        last = p;
        if (
          scenario.webhookAfterPolls !== undefined &&
          !webhook &&
          p.polls >= scenario.webhookAfterPolls &&
          p.lastState
        ) {
          webhook = sendProviderWebhook(stack, scenario.provider, journeyId).then(
            (r) => say(`signed ${scenario.provider} webhook sent → receiver answered HTTP ${r.status}`),
            (err: Error) => say(`webhook not delivered: ${err.message}`),
          );
        }
        // One line per poll, but a journey failing every few hundred ms is summed up every 3 s.
        const errorsOnly = p.consecutiveErrors > 0 && lastPrinted.errors > 0;
        if (p.polls !== lastPrinted.polls && (!errorsOnly || Date.now() - lastPrinted.at >= 3_000)) {
          lastPrinted = { polls: p.polls, errors: p.consecutiveErrors, at: Date.now() };
          say(describeProgress(p, scenario.polling));
        }
      };

      let result: DemoResult;
      try {
        const state = await awaitJourneyResult(
          client,
          { provider: scenario.provider, journeyId },
          { onProgress, progressIntervalMs: 500, timeoutMs: options.timeoutMs ?? 180_000 },
        );
        result = {
          ...base,
          status: state.status,
          decision: state.decision,
          source: state.source,
          providerStatus: state.providerStatus,
          asExpected: false,
        };
      } catch (err) {
        if (!(err instanceof JourneyWorkflowFailedError)) throw err;
        result = {
          ...base,
          status: err.failureType === 'JourneyPollingExhausted' ? 'gave up' : 'workflow failed',
          failure: err.failureType ?? err.message,
          asExpected: false,
        };
      }
      await webhook;
      // A closed workflow still answers queries (the worker replays it): the final poll count.
      const final = await client.workflow
        .getHandle(workflowId)
        .query(journeyProgressQuery)
        .catch(() => last);
      result.polls = final?.polls;
      result.asExpected =
        result.status === scenario.expect.status &&
        (!scenario.expect.source || result.source === scenario.expect.source);
      say(
        `done: ${result.status}${result.decision ? ` (${result.decision})` : ''}${result.source ? ` via ${result.source}` : ''}${result.failure ? ` (${result.failure})` : ''}`,
      );
      return result;
    };
    return await Promise.all(scenarios.map(runOne));
  } finally {
    await client.connection.close();
  }
}

/** The results as a plain-text table, then one Web UI link per workflow. */
export function formatResults(results: DemoResult[]): string {
  const header = ['', 'provider', 'journey', 'status', 'decision', 'source', 'polls', 'scenario'];
  const rows = results.map((r, i) => [
    String(i + 1),
    r.provider,
    r.journeyId,
    r.status,
    r.decision ?? '-',
    r.source ?? '-',
    r.polls === undefined ? '-' : String(r.polls),
    `${r.title}${r.asExpected ? '' : '  ← NOT AS EXPECTED'}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const links = results.map(
    (r, i) => `${String(i + 1).padStart(2)}  ${r.uiLink ?? `${r.workflowId} (open it in your cluster's Web UI)`}`,
  );
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', 'Web UI:', ...links].join('\n');
}

async function main(): Promise<void> {
  // The same flags and variables as npm start: STACK_DATA_DIR finds a second stack, the ports move an own one.
  let options: ReturnType<typeof stackOptionsFrom>;
  try {
    options = stackOptionsFrom(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof StackSettingError)) throw err;
    console.error(`npm run demo: ${err.message}`);
    process.exit(2);
  }
  let stack: StackInfo | undefined = readRunningStack(options.dataDir);
  let own: LocalStack | undefined;
  if (stack)
    console.log(`Using the running stack (npm start): Temporal ${stack.temporalAddress}, Web UI ${stack.uiUrl ?? '-'}`);
  else {
    console.log('No running stack (npm start) found: starting one for the demo; it stops at the end.');
    // As in npm start: a Ctrl-C during start-up, or npm stopped, stops what has started instead of orphaning it.
    const interrupt = new AbortController();
    const onSignal = () => (own ? void own.stop().then(() => process.exit(130)) : interrupt.abort());
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    watchParent(onSignal);
    try {
      stack = own = await startLocalStack({ ...options, signal: interrupt.signal });
    } catch (err) {
      if (interrupt.signal.aborted) process.exit(130);
      if (!(err instanceof StackSettingError)) throw err;
      console.error(`npm run demo: ${err.message}`);
      process.exit(2);
    }
    if (interrupt.signal.aborted) {
      await own.stop();
      process.exit(130);
    }
  }
  try {
    console.log('\nelapsed  provider   journey  progress');
    const results = await runDemo(stack);
    console.log(`\n${formatResults(results)}\n`);
    // The journeys stay in the data dir's history: `npm start` serves them (and the links) again.
    if (own) console.log('This stack stops now. Run `npm start` to open the links: it keeps the same history.');
    process.exitCode = results.every((r) => r.asExpected) ? 0 : 1;
  } finally {
    await own?.stop();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
