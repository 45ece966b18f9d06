/**
 * How `npm start` paces its supervision: the backoff before restarting a crashed service (1 s, doubling up to
 * 30 s) and how long a service gets to stop on SIGTERM before SIGKILL (20 s). The defaults are for people at a
 * terminal; STACK_RESTART_BACKOFF_MS and STACK_STOP_GRACE_MS (development and tests only) scale them down, so the
 * stack's tests run the same restart and give-up logic without waiting on human-scale timers.
 */
import { StackSettingError } from './ports';

export interface SupervisionTimings {
  /** Backoff before the first quick restart; each further one doubles, up to 30 times this. */
  restartBackoffMs: number;
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs: number;
}

export const DEFAULT_SUPERVISION_TIMINGS: SupervisionTimings = { restartBackoffMs: 1_000, stopGraceMs: 20_000 };

/** The backoff before quick restart number `n` (1-based). */
export function restartBackoffMs(timings: SupervisionTimings, n: number): number {
  return Math.min(30 * timings.restartBackoffMs, timings.restartBackoffMs * 2 ** (n - 1));
}

function parseMs(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  if (!/^\d{1,6}$/.test(text)) throw new StackSettingError(`${name}: expected milliseconds 0-999999`);
  return Number(text);
}

export function supervisionTimingsFrom(env: Record<string, string | undefined>): SupervisionTimings {
  return {
    restartBackoffMs: parseMs(env, 'STACK_RESTART_BACKOFF_MS', DEFAULT_SUPERVISION_TIMINGS.restartBackoffMs),
    stopGraceMs: parseMs(env, 'STACK_STOP_GRACE_MS', DEFAULT_SUPERVISION_TIMINGS.stopGraceMs),
  };
}
