/** How the crash scenario reads a journey's history after its worker was killed (bench/crash-recovery.ts). */
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { delayAfterKill } from '../../bench/crash-recovery';
import { liveCounts } from '../../bench/sticky-live';

const EventType = temporal.api.enums.v1.EventType;
const TimeoutType = temporal.api.enums.v1.TimeoutType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const at = (ms: number) => msToTs(ms);
const fired = (ms: number): HistoryEvent => ({ eventType: EventType.EVENT_TYPE_TIMER_FIRED, eventTime: at(ms) });
const started = (ms: number, pid: number): HistoryEvent => ({
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  eventTime: at(ms),
  workflowTaskStartedEventAttributes: { identity: `${pid}@host` },
});
const completed = (ms: number): HistoryEvent => ({
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  eventTime: at(ms),
});
const timedOut = (ms: number, timeoutType: temporal.api.enums.v1.TimeoutType): HistoryEvent => ({
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  eventTime: at(ms),
  workflowTaskTimedOutEventAttributes: { timeoutType },
});

const KILLED = 100;
const SURVIVOR = 200;
const KILL_AT = 50_000;

describe('delayAfterKill', () => {
  it("a journey waiting on the dead worker: due (its timer) → the other worker's start, moved by the sticky timeout", () => {
    const events = [
      fired(40_000),
      started(40_002, KILLED),
      completed(40_012),
      fired(52_000),
      timedOut(57_000, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
      started(57_004, SURVIVOR),
      completed(57_030),
    ];
    expect(delayAfterKill(events, KILL_AT, KILLED)).toEqual({
      held: true,
      delayMs: 5_004,
      taskMs: 26,
      movedBy: 'sticky timeout',
    });
  });

  it('a journey killed mid-fetch: due before the kill, moved by the workflow task timeout', () => {
    const events = [
      fired(49_000),
      started(49_001, KILLED),
      timedOut(59_001, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE),
      started(59_003, SURVIVOR),
    ];
    expect(delayAfterKill(events, KILL_AT, KILLED)).toMatchObject({
      held: true,
      delayMs: 10_003,
      movedBy: 'task timeout',
    });
  });

  it("the surviving worker's own journey is the control; one not taken over yet has no delay", () => {
    const control = [started(45_000, SURVIVOR), fired(55_000), started(55_002, SURVIVOR)];
    expect(delayAfterKill(control, KILL_AT, KILLED)).toMatchObject({ held: false, delayMs: 2 });
    expect(delayAfterKill([started(45_000, KILLED), fired(55_000)], KILL_AT, KILLED)).toEqual({ held: true });
  });
});

describe('liveCounts', () => {
  it('counts the polls due in the window, their start lag and the sticky timeouts there', () => {
    const history = [
      fired(9_000),
      started(9_001, 1),
      fired(19_000),
      timedOut(21_000, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
      started(21_010, 1),
      fired(29_000),
      started(29_003, 1),
    ];
    expect(liveCounts([history], 10_000, 30_000)).toEqual({ due: 2, stickyTimeouts: 1, lags: [2_010, 3] });
  });
});
