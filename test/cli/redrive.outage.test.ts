/**
 * A provider outage, end to end on the dev server: the real workflow and fetchState over HTTP against the
 * simulator, which answers 503 for every journey while the outage lasts. Journeys in flight keep failing, show up in
 * `list --stale` with their last error and its count while they still retry, and give up
 * (JourneyPollingExhausted). Once the provider is back, one `redrive --since …` re-opens exactly those journeys, each
 * ends at its true provider state with exactly one new run, and a second `redrive` starts nothing. A journey that
 * completed, one the provider rejected, and one still running are never touched.
 *
 * The policy is short, on purpose: with the default policy (10 s, +5 s per error, 30 errors) a journey gives up about
 * 41 minutes into an outage, so a 45-minute outage outlasts it; here the journeys in the outage poll every 1 s with no
 * backoff and give up after 8 failed fetches (7 s), and the outage lasts until every one of them has given up,
 * outlasting the budget as 45 minutes outlast 41. The running journey has a budget of 1,000 errors: it outlives
 * the outage.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { EXIT } from '../../src/cli';
import {
  awaitJourneyResult,
  getJourneyStatus,
  JourneyWorkflowFailedError,
  startJourneyAwait,
  type JourneyProvider,
  type JourneyState,
  type JourneySummary,
  type RedriveReport,
} from '../../src/client';
import { journeyStaleSinceKey } from '../../src/contract/workflow';
import { resolvePolicy, timeToExhaustionMs } from '../../src/workflows/schedule';
import { eventually } from '../helpers/eventually';
import { useLocalJourneyStack } from '../helpers/local-stack';
import { runCliCaptured } from '../helpers/run-cli';

const TASK_QUEUE = `outage-${randomUUID().slice(0, 8)}`;
/** The journeys in the outage: 1 s polls, no backoff, give up after 8 failed fetches in a row. */
const SHORT_POLICY = { baseIntervalMs: 1_000, errorBackoffMs: 0, maxConsecutiveErrors: 8 };
const PROVIDERS: JourneyProvider[] = ['gbg-go-v2', 'gbg-go-v1', 'idnow'];
/** What each journey in the outage really ends as at the provider (simulator script step, normalised status). */
const ENDINGS = [
  { step: 'completed', status: 'completed' },
  { step: 'completed outcome=rejected', status: 'completed' },
  { step: 'failed', status: 'failed' },
  { step: 'completed', status: 'completed' },
];

const stack = useLocalJourneyStack(TASK_QUEUE);

const cli = (...args: string[]) => runCliCaptured(stack.env.client, args);
const journeyId = (name: string) => `${name}-${randomUUID().replaceAll('-', '').slice(0, 20)}`;
const workflowIdOf = (j: { provider: string; journeyId: string }) => `journey:${j.provider}:${j.journeyId}`;

/** Every run of a workflow id, from visibility (each re-open adds one). */
async function runsOf(workflowId: string): Promise<{ runId: string; status: string; startTime: Date }[]> {
  const runs = [];
  for await (const wf of stack.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: wf.runId, status: wf.status.name, startTime: wf.startTime });
  return runs;
}

async function executionStatus(j: { provider: JourneyProvider; journeyId: string }): Promise<string> {
  return (await getJourneyStatus(stack.env.client, j)).executionStatus;
}

it('a 45-minute outage (scaled): list --stale finds the journeys, one redrive re-opens exactly those', async () => {
  // The default policy gives up inside a 45-minute outage: what this test reproduces at a short policy.
  expect(timeToExhaustionMs(resolvePolicy())).toBeLessThan(45 * 60_000);
  expect(timeToExhaustionMs(resolvePolicy(SHORT_POLICY))).toBe(7_000);
  const since = new Date(Date.now() - 1_000).toISOString();

  const outage = PROVIDERS.flatMap((provider) =>
    ENDINGS.map((ending, i) => ({ provider, journeyId: journeyId(`outage${i}`), ending })),
  );
  for (const j of outage) stack.sim.script(j.provider, j.journeyId, ['in_progress x3', j.ending.step]);
  const completed = { provider: 'idnow' as const, journeyId: journeyId('done') };
  stack.sim.script(completed.provider, completed.journeyId, ['completed']);
  const rejected = { provider: 'gbg-go-v2' as const, journeyId: journeyId('sim-http-400') };
  const running = { provider: 'gbg-go-v1' as const, journeyId: journeyId('running') };
  stack.sim.script(running.provider, running.journeyId, ['in_progress']);

  const runningPolicy = { ...SHORT_POLICY, maxConsecutiveErrors: 1_000 };
  const started = await Promise.all([
    ...outage.map((j) =>
      startJourneyAwait(
        stack.env.client,
        { provider: j.provider, journeyId: j.journeyId, polling: SHORT_POLICY },
        { taskQueue: TASK_QUEUE },
      ),
    ),
    startJourneyAwait(stack.env.client, completed, { taskQueue: TASK_QUEUE }),
    startJourneyAwait(stack.env.client, rejected, { taskQueue: TASK_QUEUE }),
    startJourneyAwait(stack.env.client, { ...running, polling: runningPolicy }, { taskQueue: TASK_QUEUE }),
  ]);
  const runningRunId = started.at(-1)!.runId;
  expect(await awaitJourneyResult(stack.env.client, completed)).toMatchObject({ status: 'completed' });
  const rejectedErr = await awaitJourneyResult(stack.env.client, rejected).catch((e: unknown) => e);
  expect((rejectedErr as JourneyWorkflowFailedError).failureType).toBe('JourneyRejectedByProvider');

  // Every journey in flight has had a successful fetch; then the provider goes down for all of them.
  const fetched = await eventually(
    () =>
      [...outage, running].every((j) => (stack.sim.journey(j.provider, j.journeyId)?.fetches ?? 0) >= 1) || undefined,
    30_000,
    20,
  );
  expect(fetched).toBe(true);
  stack.sim.outage(true);

  // A service waiting on the first journey: plainly, and including re-drives.
  const first = outage[0]!;
  const plainWait = awaitJourneyResult(stack.env.client, first).catch((e: unknown) => e);
  const redriveWait = awaitJourneyResult(stack.env.client, first, {
    includeRedrives: true,
    redriveCheckIntervalMs: 200,
  });

  // While they still retry, `list --stale` shows each one with its last error and how many in a row.
  const inFlight = new Set([...outage, running].map(workflowIdOf));
  const stale = await eventually(async () => {
    const r = await cli('list', '--stale', '1s', '--json');
    const rows = (JSON.parse(r.out) as JourneySummary[]).filter((row) => inFlight.has(row.workflowId));
    return rows.length === inFlight.size ? rows : undefined;
  }, 30_000);
  expect(stale?.length, 'every journey in flight is stale while the provider is down').toBe(inFlight.size);
  for (const row of stale!) {
    expect(row).toMatchObject({ executionStatus: 'RUNNING', lastError: 'FetchFailed HTTP 503' });
    expect(row.fetchErrors).toBeGreaterThanOrEqual(1);
    expect(Date.parse(row.staleSince!)).toBeLessThan(Date.now() - 1_000);
  }
  const table = await cli('list', '--stale', '1s');
  expect(table.out.split('\n')[0]).toMatch(/^WORKFLOW ID\s.*LAST SUCCESS\s+ERRORS\s+LAST ERROR/);
  expect(table.out).toContain('FetchFailed HTTP 503');

  // Every journey in the outage gives up; the one with the big budget keeps going.
  const gaveUp = await eventually(
    async () => ((await Promise.all(outage.map(executionStatus))).every((s) => s === 'FAILED') ? true : undefined),
    60_000,
    250,
  );
  expect(gaveUp).toBe(true);
  expect(await executionStatus(running)).toBe('RUNNING');
  const plain = await plainWait;
  expect(plain).toBeInstanceOf(JourneyWorkflowFailedError);
  expect((plain as JourneyWorkflowFailedError).failureType).toBe('JourneyPollingExhausted');

  const outageIds = outage.map(workflowIdOf).sort();
  const dry = await cli('redrive', '--since', since, '--dry-run', '--json');
  expect(dry.code, dry.err).toBe(EXIT.DONE);
  const preview = JSON.parse(dry.out) as RedriveReport;
  expect(preview).toMatchObject({ dryRun: true, reopened: outage.length });
  expect(preview.journeys.map((r) => r.workflowId).sort()).toEqual(outageIds);
  expect((await runsOf(workflowIdOf(first))).length, 'a dry run starts nothing').toBe(1);

  // The provider is back. Twelve journeys is more than the CLI re-opens unasked.
  stack.sim.outage(false);
  const unasked = await cli('redrive', '--since', since);
  expect(unasked.code).toBe(EXIT.USAGE);
  expect(unasked.err).toMatch(/would re-open 12 journeys .*--yes/);

  const redrive = await cli('redrive', '--since', since, '--yes', '--json');
  expect(redrive.code, redrive.err).toBe(EXIT.DONE);
  const report = JSON.parse(redrive.out) as RedriveReport;
  expect(report).toMatchObject({ dryRun: false, reopened: outage.length });
  expect(
    report.journeys
      .filter((r) => r.outcome === 'reopened')
      .map((r) => r.workflowId)
      .sort(),
  ).toEqual(outageIds);
  expect(report.journeys.every((r) => r.failureType === 'JourneyPollingExhausted')).toBe(true);

  // Each ends at its true provider state, with exactly one new run beside the failed one.
  const ends = await Promise.all(outage.map((j) => awaitJourneyResult(stack.env.client, j)));
  ends.forEach((state: JourneyState, i) => {
    const j = outage[i]!;
    expect(state, j.journeyId).toMatchObject({
      status: j.ending.status,
      providerStatus: stack.sim.journey(j.provider, j.journeyId)!.lastStatus,
      terminal: true,
    });
  });
  const newRunStarts: number[] = [];
  for (const j of outage) {
    const runs = await runsOf(workflowIdOf(j));
    expect(runs.map((r) => r.status).sort(), j.journeyId).toEqual(['COMPLETED', 'FAILED']);
    newRunStarts.push(runs.find((r) => r.status === 'COMPLETED')!.startTime.getTime());
  }
  // The service that waited including re-drives gets the journey's final state.
  expect(await redriveWait).toMatchObject({ status: 'completed', terminal: true });

  // A second redrive over the same window starts nothing.
  const again = await cli('redrive', '--since', since, '--yes', '--json');
  const second = JSON.parse(again.out) as RedriveReport;
  expect(second.reopened).toBe(0);
  expect(second.journeys.every((r) => r.outcome === 'already-reopened')).toBe(true);
  for (const j of outage) expect((await runsOf(workflowIdOf(j))).length).toBe(2);

  // Completed, rejected and running journeys are untouched; the running one is no longer stale once fetches work.
  expect((await runsOf(workflowIdOf(completed))).map((r) => r.status)).toEqual(['COMPLETED']);
  expect((await runsOf(workflowIdOf(rejected))).map((r) => r.status)).toEqual(['FAILED']);
  expect((await runsOf(workflowIdOf(running))).map((r) => [r.runId, r.status])).toEqual([[runningRunId, 'RUNNING']]);
  const cleared = await eventually(async () => {
    const wf = await stack.env.client.workflow.getHandle(workflowIdOf(running)).describe();
    return wf.typedSearchAttributes.get(journeyStaleSinceKey) === undefined ? true : undefined;
  }, 30_000);
  expect(cleared, 'the stale marker is cleared by the next successful fetch').toBe(true);
  const after = JSON.parse((await cli('list', '--stale', '1s', '--json')).out) as JourneySummary[];
  expect(after).toEqual([]);

  const spread = Math.max(...newRunStarts) - Math.min(...newRunStarts);
  process.stdout.write(`[outage] re-opened ${report.reopened} journeys; new runs started within ${spread} ms\n`);
}, 180_000);
