/**
 * The webhook receiver process's memory tuning, in one place.
 *
 * Under a burst of webhooks V8 grows the young generation (to 2 × 64 MiB by default) and leaves the old one full of
 * garbage. An idle process allocates nothing, so no GC runs and its resident memory stays at the peak. Two measures:
 *
 * - RECEIVER_NODE_FLAGS, on the receiver's node command line: each semi-space capped at 16 MiB. V8 sizes the young
 *   generation when it sets up the heap, so the flag has no effect from `v8.setFlagsFromString` at start.
 *   `--expose-gc` gives the process `globalThis.gc`.
 * - startIdleGc: once no request has arrived for IDLE_GC.idleMs and the resident memory has grown by
 *   IDLE_GC.growthBytes since the last full GC (or since start), one full GC. Requests pay a timestamp. The resident
 *   memory, not the heap, decides: with the young generation capped the heap in use grows little under load, yet
 *   the collection gives back most of the resident growth (docs/performance.md).
 */
import type { FastifyInstance } from 'fastify';
import type { AppLogger } from '../logger';

/** Node flags the receiver is started with (package.json, docker-compose.yml, the local stack, the cluster). */
export const RECEIVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--expose-gc'];

export interface IdleGcPolicy {
  /** No request for this long counts as idle. */
  idleMs: number;
  /** Collect only when the resident memory grew by this much since the last full GC (or since start). */
  growthBytes: number;
  /** How often the timer looks. */
  checkEveryMs: number;
}

export const IDLE_GC: IdleGcPolicy = { idleMs: 5_000, growthBytes: 32 * 1024 * 1024, checkEveryMs: 1_000 };

export interface IdleGcState {
  nowMs: number;
  lastRequestMs: number;
  rssBytes: number;
  rssAfterLastGcBytes: number;
}

/** Whether the receiver should ask V8 for a full GC now. */
export function idleGcDue(policy: Pick<IdleGcPolicy, 'idleMs' | 'growthBytes'>, s: IdleGcState): boolean {
  return s.nowMs - s.lastRequestMs >= policy.idleMs && s.rssBytes - s.rssAfterLastGcBytes >= policy.growthBytes;
}

type V8Gc = (options?: {
  type: 'major' | 'minor';
  execution: 'sync' | 'async';
  flavor: 'regular' | 'last-resort';
}) => void;

/**
 * A full GC from `globalThis.gc` (node started with `--expose-gc`), of V8's last-resort flavor: it also releases
 * the pages V8 keeps pooled for reuse, which a regular full GC leaves resident.
 */
export function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return undefined;
  return () => (gc as V8Gc)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

export interface IdleGcOptions {
  gc: () => void;
  policy?: IdleGcPolicy;
  /** Monotonic milliseconds. */
  now?: () => number;
  rssBytes?: () => number;
  /** Told after each idle collection, with the resident memory before and after it and how long it paused. */
  onCollect?: (beforeBytes: number, afterBytes: number, pauseMs: number) => void;
}

export interface IdleGc {
  /** Call on every request: records its time, nothing else. */
  touch(): void;
  /** One look (the timer calls it): collects if due, and says whether it did. */
  check(): boolean;
  stop(): void;
}

/** Starts the idle-GC timer; it is unref'd, so it never keeps the process alive. */
export function startIdleGc({
  gc,
  policy = IDLE_GC,
  now = () => performance.now(),
  rssBytes = () => process.memoryUsage.rss(),
  onCollect,
}: IdleGcOptions): IdleGc {
  let lastRequestMs = now();
  let rssAfterLastGcBytes = rssBytes();
  const check = () => {
    const nowMs = now();
    // Cheap test first: while requests arrive, the resident memory is not even read.
    if (nowMs - lastRequestMs < policy.idleMs) return false;
    const before = rssBytes();
    if (!idleGcDue(policy, { nowMs, lastRequestMs, rssBytes: before, rssAfterLastGcBytes })) return false;
    const started = now();
    gc();
    const pauseMs = now() - started;
    rssAfterLastGcBytes = rssBytes();
    onCollect?.(before, rssAfterLastGcBytes, pauseMs);
    return true;
  };
  const timer = setInterval(check, policy.checkEveryMs);
  timer.unref();
  return {
    touch: () => {
      lastRequestMs = now();
    },
    check,
    stop: () => clearInterval(timer),
  };
}

const mib = (bytes: number) => Math.round(bytes / 1_048_576);

/**
 * The receiver's idle GC on `app`'s requests (its timer is unref'd: it needs no stopping). Says what it does, for
 * the log line that the receiver is listening.
 */
export function tuneReceiverProcess(app: FastifyInstance, logger: Pick<AppLogger, 'debug'>): string {
  const gc = exposedGc();
  if (!gc) return `off (node started without ${RECEIVER_NODE_FLAGS.join(' ')})`;
  const idleGc = startIdleGc({
    gc,
    onCollect: (before, after, pauseMs) =>
      logger.debug('idle: full GC', { rssMiB: `${mib(before)} → ${mib(after)}`, pauseMs: Math.round(pauseMs) }),
  });
  app.server.on('request', idleGc.touch);
  return `a full GC after ${IDLE_GC.idleMs / 1000} s without requests`;
}
