/**
 * The cancel watch (src/activities/cancel-watch.ts) on fake timers and a fake "is cancel requested?" lookup:
 * silent for fast fetches, asks at a steady pace once a fetch is slow, one lookup at a time, stops on cancel or
 * when told to, and shrugs off failed lookups. With many slow fetches at once, one watcher keeps the total
 * lookups within its bound per second and shares them fairly. Plus the lookup built from an activity context.
 */
import type { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CANCEL_WATCH_FIRST_LOOKUP_MS,
  CANCEL_WATCH_LOOKUP_EVERY_MS,
  CANCEL_WATCH_MAX_LOOKUPS_PER_SECOND,
  createCancelWatcher,
  workflowCancelRequestedLookup,
  type CancelWatcher,
} from '../../src/activities/cancel-watch';

const FIRST = CANCEL_WATCH_FIRST_LOOKUP_MS;
const EVERY = CANCEL_WATCH_LOOKUP_EVERY_MS;
const MAX_PER_SECOND = CANCEL_WATCH_MAX_LOOKUPS_PER_SECOND;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A lookup whose answers are scripted: `true`, `false`, or an Error to reject with. */
function scriptedLookup(answers: (boolean | Error)[]) {
  let calls = 0;
  const lookup = vi.fn(() => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  });
  return lookup;
}

function watch(isCancelRequested: () => Promise<boolean>, watcher: CancelWatcher = createCancelWatcher()) {
  const onCancelRequested = vi.fn();
  const stop = watcher.watchCancelRequest({ isCancelRequested, onCancelRequested });
  return { onCancelRequested, stop };
}

describe('one slow fetch', () => {
  it('asks nothing before the threshold, and nothing at all for a fetch that ends before it', async () => {
    const lookup = scriptedLookup([true]);
    const { onCancelRequested, stop } = watch(lookup);
    await vi.advanceTimersByTimeAsync(FIRST - 1);
    expect(lookup).not.toHaveBeenCalled();
    stop();
    await vi.advanceTimersByTimeAsync(10 * EVERY);
    expect(lookup).not.toHaveBeenCalled();
    expect(onCancelRequested).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('asks at the threshold and every interval after, and aborts once the cancel was requested', async () => {
    const lookup = scriptedLookup([false, false, true]);
    const { onCancelRequested } = watch(lookup);
    await vi.advanceTimersByTimeAsync(FIRST);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(onCancelRequested).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(lookup).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(lookup).toHaveBeenCalledTimes(3);
    expect(onCancelRequested).toHaveBeenCalledTimes(1);
    // Done: no more lookups, no timer left behind.
    await vi.advanceTimersByTimeAsync(10 * EVERY);
    expect(lookup).toHaveBeenCalledTimes(3);
    expect(onCancelRequested).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores a failed lookup (rejected or thrown) and asks again at the next interval', async () => {
    let calls = 0;
    const lookup = vi.fn((): Promise<boolean> => {
      calls++;
      if (calls === 1) throw new Error('server unavailable');
      if (calls === 2) return Promise.reject(new Error('deadline exceeded'));
      return Promise.resolve(true);
    });
    const { onCancelRequested } = watch(lookup);
    await vi.advanceTimersByTimeAsync(FIRST + EVERY);
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(onCancelRequested).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(lookup).toHaveBeenCalledTimes(3);
    expect(onCancelRequested).toHaveBeenCalledTimes(1);
  });

  it('asks nothing more once stopped, and ignores an answer that arrives after the stop', async () => {
    let answer!: (requested: boolean) => void;
    const lookup = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const { onCancelRequested, stop } = watch(lookup);
    await vi.advanceTimersByTimeAsync(FIRST);
    expect(lookup).toHaveBeenCalledTimes(1);
    stop();
    answer(true);
    await vi.advanceTimersByTimeAsync(10 * EVERY);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(onCancelRequested).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one lookup in flight at a time: the next is scheduled when a slow one has answered', async () => {
    let answer!: (requested: boolean) => void;
    const lookup = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const { stop } = watch(lookup);
    await vi.advanceTimersByTimeAsync(FIRST + 5 * EVERY);
    expect(lookup).toHaveBeenCalledTimes(1);
    answer(false);
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(lookup).toHaveBeenCalledTimes(2);
    stop();
  });
});

/** Many fetches on one watcher; each lookup logs when it was sent and answers after `answerAfterMs` (0: at once). */
function watchMany(count: number, answerAfterMs = 20) {
  const watcher = createCancelWatcher();
  const lookupAt: number[] = [];
  const fetches = Array.from({ length: count }, () => {
    const lookups: number[] = [];
    let cancelRequested = false;
    const isCancelRequested = vi.fn(async () => {
      lookupAt.push(Date.now());
      lookups.push(Date.now());
      if (answerAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
      return cancelRequested;
    });
    return { lookups, requestCancel: () => (cancelRequested = true), ...watch(isCancelRequested, watcher) };
  });
  return { watcher, fetches, lookupAt };
}

/** The most lookups sent within any 1 s window. */
function mostInAnySecond(times: number[]): number {
  let most = 0;
  for (const [i, start] of times.entries())
    most = Math.max(most, times.slice(i).filter((t) => t < start + 1_000).length);
  return most;
}

describe('many slow fetches on one watcher', () => {
  it('up to half the bound keep the full pace: each asked at the threshold and every interval after', async () => {
    const few = MAX_PER_SECOND / 2; // the whole budget at 2 lookups a second each
    const { fetches } = watchMany(few, 0);
    await vi.advanceTimersByTimeAsync(FIRST + 9 * EVERY);
    for (const { lookups } of fetches)
      expect(lookups.map((t) => t - lookups[0]!)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500]);
    for (const { stop } of fetches) stop();
  });

  it('never sends more lookups in any second than the bound, and uses the budget', async () => {
    const { fetches, lookupAt } = watchMany(500);
    const seconds = 20;
    await vi.advanceTimersByTimeAsync(FIRST + seconds * 1_000);
    expect(mostInAnySecond(lookupAt)).toBe(MAX_PER_SECOND);
    // Asked 2×/s each, 500 fetches would send 1,000 lookups a second; the watcher sends its bound.
    expect(lookupAt.length).toBeGreaterThanOrEqual(seconds * MAX_PER_SECOND);
    expect(lookupAt.length).toBeLessThanOrEqual((seconds + 1) * MAX_PER_SECOND);
    for (const { stop } of fetches) stop();
  });

  it('shares the lookups fairly: every fetch is asked, none twice before all were asked once', async () => {
    const count = 200;
    const { fetches } = watchMany(count);
    const roundMs = (count / MAX_PER_SECOND) * 1_000; // the budget goes round all of them in 10 s
    await vi.advanceTimersByTimeAsync(FIRST + roundMs - 1);
    for (const { lookups } of fetches) expect(lookups).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3 * roundMs);
    const asked = fetches.map(({ lookups }) => lookups.length);
    expect(Math.min(...asked)).toBe(4);
    expect(Math.max(...asked)).toBe(4);
    for (const { stop } of fetches) stop();
  });

  it('also asks a fetch that starts while the budget is taken, within one round', async () => {
    const count = 100;
    const { watcher, fetches } = watchMany(count);
    await vi.advanceTimersByTimeAsync(FIRST + 3_000);
    const late = vi.fn(() => Promise.resolve(false));
    const { stop } = watch(late, watcher);
    await vi.advanceTimersByTimeAsync((count / MAX_PER_SECOND) * 1_000 + 1_000);
    expect(late).toHaveBeenCalled();
    stop();
    for (const fetch of fetches) fetch.stop();
  });

  it('asks a stopped fetch nothing more, and leaves no timer or entry once all have stopped', async () => {
    const { watcher, fetches } = watchMany(100);
    await vi.advanceTimersByTimeAsync(FIRST + 2_000);
    const [stopped, running] = [fetches.slice(0, 50), fetches.slice(50)];
    const askedWhenStopped = stopped.map(({ stop, lookups }) => (stop(), lookups.length));
    expect(watcher.watchedCount).toBe(50);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stopped.map(({ lookups }) => lookups.length)).toEqual(askedWhenStopped);
    // The 50 left get the whole budget: 10 s at the bound, one lookup at a time each.
    const runningAsked = running.reduce(
      (sum, { lookups }) => sum + lookups.filter((t) => t > Date.now() - 10_000).length,
      0,
    );
    expect(runningAsked).toBeGreaterThanOrEqual(9 * MAX_PER_SECOND);
    for (const { stop } of running) stop();
    expect(watcher.watchedCount).toBe(0);
    await vi.advanceTimersByTimeAsync(100); // the lookups still in flight answer to nobody
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborts only the fetch whose journey's cancel was requested, and stops asking about it", async () => {
    const { watcher, fetches } = watchMany(50);
    await vi.advanceTimersByTimeAsync(FIRST + 1_000);
    const cancelled = fetches[7]!;
    cancelled.requestCancel();
    await vi.advanceTimersByTimeAsync((50 / MAX_PER_SECOND) * 1_000 + 1_000);
    expect(cancelled.onCancelRequested).toHaveBeenCalledTimes(1);
    const askedAtCancel = cancelled.lookups.length;
    for (const other of fetches) if (other !== cancelled) expect(other.onCancelRequested).not.toHaveBeenCalled();
    expect(watcher.watchedCount).toBe(49);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(cancelled.lookups).toHaveLength(askedAtCancel);
    for (const { stop } of fetches) stop();
  });
});

describe('workflowCancelRequestedLookup', () => {
  const execution = { workflowId: 'journey:gbg-go-v2:abc', runId: 'run-1' };

  function fakeClient(cancelRequested: boolean | undefined) {
    const describe = vi.fn((_request: unknown) =>
      Promise.resolve({ workflowExtendedInfo: cancelRequested === undefined ? null : { cancelRequested } }),
    );
    return {
      describe,
      client: { workflowService: { describeWorkflowExecution: describe } } as unknown as Context['client'],
    };
  }

  it("asks DescribeWorkflowExecution about the calling workflow's run, in its namespace", async () => {
    const { describe, client } = fakeClient(true);
    const env = new MockActivityEnvironment({ workflowExecution: execution, namespace: 'journeys' }, { client });
    const lookup = workflowCancelRequestedLookup(env.context)!;
    await expect(lookup()).resolves.toBe(true);
    expect(describe).toHaveBeenCalledWith({ namespace: 'journeys', execution });
  });

  it('reads a missing or false cancelRequested as not requested', async () => {
    for (const flag of [false, undefined]) {
      const env = new MockActivityEnvironment({ workflowExecution: execution }, { client: fakeClient(flag).client });
      await expect(workflowCancelRequestedLookup(env.context)!()).resolves.toBe(false);
    }
  });

  it('is undefined without a workflow to ask about or a client to ask with', () => {
    expect(workflowCancelRequestedLookup(new MockActivityEnvironment().context)).toBeUndefined();
    const noWorkflow = new MockActivityEnvironment(
      { workflowExecution: undefined },
      { client: fakeClient(true).client },
    );
    expect(workflowCancelRequestedLookup(noWorkflow.context)).toBeUndefined();
  });
});
