/**
 * The cancel watch (src/activities/cancel-watch.ts) on fake timers and a fake "is cancel requested?" lookup:
 * silent for fast fetches, asks at a steady pace once a fetch is slow, one lookup at a time, stops on cancel or
 * when told to, and shrugs off failed lookups. Plus the lookup built from an activity context.
 */
import type { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CANCEL_WATCH_FIRST_LOOKUP_MS,
  CANCEL_WATCH_LOOKUP_EVERY_MS,
  watchCancelRequest,
  workflowCancelRequestedLookup,
} from '../src/activities/cancel-watch';

const FIRST = CANCEL_WATCH_FIRST_LOOKUP_MS;
const EVERY = CANCEL_WATCH_LOOKUP_EVERY_MS;

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

function watch(isCancelRequested: () => Promise<boolean>) {
  const onCancelRequested = vi.fn();
  const stop = watchCancelRequest({ isCancelRequested, onCancelRequested });
  return { onCancelRequested, stop };
}

describe('watchCancelRequest', () => {
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
