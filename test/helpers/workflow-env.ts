/**
 * Shared fixtures for the awaitJourneyCompletion suites: a time-skipping server with the journey search
 * attributes, the bundled workflows, a scripted `fetchState` that records Temporal's clock, and history helpers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { compactForHistory } from '../../src/activities/fetch-state';
import type { FetchStateInput, JourneyPoll, JourneyState } from '../../src/contract/journey-state';
import type { JourneyStatus } from '../../src/contract/vocabulary';
import { FETCH_FAILED, FETCH_REJECTED, type FetchFailureDetails } from '../../src/contract/errors';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { registerJourneySearchAttributes } from '../../testing/environment';
import { createTimeSkippingEnv } from './temporal-env';
import { cachedWorkflowBundle } from './workflow-bundle-cache';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type History = temporal.api.history.v1.IHistory;
const EventType = temporal.api.enums.v1.EventType;

export const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');
export const historiesDir = path.join(__dirname, '../histories');

export { quietBundlerLogger } from './workflow-bundle-cache';

/** The product's workflows, bundled once per change of the sources (see workflow-bundle-cache.ts). */
export function bundleJourneyWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return cachedWorkflowBundle({ workflowsPath });
}

/** A time-skipping server that knows the Keyword search attributes the workflow sets and upserts. */
export async function createJourneyTestEnv(): Promise<TestWorkflowEnvironment> {
  const env = await createTimeSkippingEnv();
  await registerJourneySearchAttributes(env);
  return env;
}

export function journeyInput(overrides: Partial<AwaitJourneyInput> = {}): AwaitJourneyInput {
  return { provider: 'gbg-go-v2', journeyId: `Pq_hh${randomUUID()}`, ...overrides };
}

/** Identity data that must never show up in summaries, details or search attributes. */
export const PII_NAME = 'Zelda-Quixote';

export function journeyState(input: FetchStateInput, status: JourneyStatus, observedAt: number): JourneyState {
  const terminal = status !== 'in_progress';
  return {
    provider: input.provider,
    journeyId: input.journeyId,
    status,
    terminal,
    providerStatus: terminal ? 'COMPLETED' : 'IN_PROGRESS',
    decision: status === 'completed' ? 'accepted' : 'undecided',
    steps: [{ id: 'step-1', status: terminal ? 'Completed' : 'Pending' }],
    subject: terminal ? { firstName: PII_NAME, lastNames: ['Example'] } : undefined,
    source: 'poll',
    observedAt: new Date(observedAt).toISOString(),
  };
}

/** One scripted reply of `fetchState`; `during` runs inside the activity, i.e. while the fetch is in flight. */
export type FetchStep = (
  { status: JourneyStatus } | { fail: 'transient' | 'rejected'; retryAfterMs?: number; httpStatus?: number }
) & { during?: () => Promise<unknown> };

export interface FetchCall {
  /** Server (time-skipping) clock when the activity ran. */
  at: number;
  runId: string;
}

/**
 * A `fetchState` stand-in that replays `steps` in order (the last one repeats) and records when each call
 * happened on Temporal's clock.
 */
export function scriptedFetch(env: TestWorkflowEnvironment, steps: FetchStep[]) {
  const calls: FetchCall[] = [];
  async function fetchState(input: FetchStateInput): Promise<JourneyPoll> {
    const at = await env.currentTimeMs();
    calls.push({ at, runId: Context.current().info.workflowExecution?.runId ?? '' });
    const step = steps[Math.min(calls.length, steps.length) - 1];
    if (!step) throw new Error('empty script');
    await step.during?.();
    // Compact while in progress, full once terminal: what the real activity records in history.
    if ('status' in step) return compactForHistory(journeyState(input, step.status, at));
    const details: FetchFailureDetails = {
      provider: input.provider,
      httpStatus: step.httpStatus,
      retryAfterMs: step.retryAfterMs,
    };
    if (step.fail === 'rejected') {
      throw ApplicationFailure.create({
        type: FETCH_REJECTED,
        message: 'HTTP 400: bad journey id',
        nonRetryable: true,
        details: [details],
      });
    }
    throw ApplicationFailure.create({
      type: FETCH_FAILED,
      message: `HTTP ${step.httpStatus ?? 503}`,
      details: [details],
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  return { activities: { fetchState }, calls };
}

export function repeat(step: FetchStep, n: number): FetchStep[] {
  return Array.from({ length: n }, () => step);
}

/** Gaps between consecutive calls, in ms. */
export function gaps(calls: FetchCall[]): number[] {
  return calls.slice(1).map((c, i) => c.at - calls[i]!.at);
}

/**
 * Each gap equals the expected one plus the little real time the server lets pass while a workflow task and the
 * fetch run (time skipping only jumps while nothing is in flight). `earlyMs`: across continue-as-new the next
 * poll time is carried as an absolute time, anchored at the start of the workflow task that ran the fetch, so a
 * gap that spans a hand-over can come in early by the (real, milliseconds) time that fetch took.
 */
export function expectGapsClose(actual: number[], expected: number[], toleranceMs = 1_500, earlyMs = 0): void {
  const ok =
    actual.length === expected.length &&
    actual.every((g, i) => g >= expected[i]! - earlyMs && g - expected[i]! < toleranceMs);
  if (!ok)
    throw new Error(
      `gaps ${JSON.stringify(actual)} do not match ${JSON.stringify(expected)} (-${earlyMs}/+<${toleranceMs} ms)`,
    );
}

export function eventMs(event: HistoryEvent): number {
  return tsToMs(event.eventTime);
}

export function eventsOf(history: History, type: temporal.api.enums.v1.EventType): HistoryEvent[] {
  return (history.events ?? []).filter((e) => e.eventType === type);
}

/** Every run of a continue-as-new chain, oldest first. */
export async function runHistories(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<{ runId: string; history: History }[]> {
  const runs: { runId: string; history: History }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ runId, history });
    const last = history.events?.at(-1);
    runId =
      last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ? (last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined)
        : undefined;
  }
  return runs;
}

/**
 * Prefix of the committed histories today's workflow code records: the date of the last change to its commands
 * (the `since` of the newest patch in src/workflows/versions.ts, or the baseline). Files with an older prefix stay
 * committed and keep replaying until their patch is removed (docs/design.md "Versioning").
 */
export const HISTORY_SHAPE = '2026-12-07.1';

/** `SAVE_HISTORIES=1 npx vitest run test/workflow…` writes `<HISTORY_SHAPE>-<name>.json` replay fixtures. */
export function maybeSaveHistory(name: string, history: History): void {
  if (!process.env.SAVE_HISTORIES) return;
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(path.join(historiesDir, `${HISTORY_SHAPE}-${name}.json`), historyToJSON(history) + '\n');
}

export { EventType };
