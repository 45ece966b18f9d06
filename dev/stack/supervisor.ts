/**
 * Runs one long-lived child process of the local stack and keeps it running: the real process (node with tsx
 * loaded in-process, or a binary), not a launcher, so its PID is the one that serves and the one that is stopped.
 * An unexpected exit is written to the service's log and reported on screen, and the process is restarted after
 * a backoff (1 s, 2 s, 4 s … 30 s; reset once it has stayed up for a minute). After too many quick crashes in a
 * row the supervisor gives up and reports it as fatal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { DEFAULT_SUPERVISION_TIMINGS, restartBackoffMs, type SupervisionTimings } from './supervision-timings';

export interface SupervisedOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  /** Screen lines: restarts and give-ups. */
  report: (line: string) => void;
  /** Called once when restarting is given up; the stack then stops with a non-zero exit. */
  onFatal: (reason: string) => void;
  /** Quick crashes in a row before giving up. Default 5. */
  maxQuickCrashes?: number;
  /** After a restart, resolve when the service is ready again (e.g. Temporal answers); a rejection counts as a crash. */
  ready?: (child: ChildProcess) => Promise<void>;
  /** Restart backoff and stop grace (default: 1 s doubling to 30 s, 20 s). */
  timings?: SupervisionTimings;
}

export interface Supervised {
  readonly name: string;
  /** PID of the running process (undefined between a crash and its restart). */
  readonly pid: number | undefined;
  /** Every PID this service has had, oldest first. */
  readonly pids: number[];
  readonly restarts: number;
  /** Resolves on the next (re)start with the new PID. */
  nextStart(): Promise<number>;
  current(): ChildProcess;
  stop(): Promise<void>;
}

const STAYED_UP_MS = 60_000;

export function supervise(options: SupervisedOptions): Supervised {
  const timings = options.timings ?? DEFAULT_SUPERVISION_TIMINGS;
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const note = (line: string) => log.write(`[stack] ${new Date().toISOString()} ${line}\n`);
  const pids: number[] = [];
  let child: ChildProcess;
  let stopping = false;
  let restarts = 0;
  let quickCrashes = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let startWaiters: ((pid: number) => void)[] = [];

  const start = (): void => {
    const startedAt = Date.now();
    // Its own process group: a terminal's Ctrl-C reaches only the stack, which then stops its children in order
    // (rather than racing them and mistaking their exit for a crash).
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // The log stream outlives every child: it is ours, not the pipe's to close.
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.once('error', (err) => note(`${options.name} could not be started: ${err.message}`));
    if (child.pid !== undefined) {
      pids.push(child.pid);
      note(`${options.name} started (pid ${child.pid})`);
      for (const resolve of startWaiters) resolve(child.pid);
      startWaiters = [];
    }
    child.once('exit', (code, signal) => {
      const how = signal ?? `code ${code}`;
      if (stopping) {
        note(`${options.name} stopped (${how})`);
        return;
      }
      quickCrashes = Date.now() - startedAt < STAYED_UP_MS ? quickCrashes + 1 : 1;
      if (quickCrashes > (options.maxQuickCrashes ?? 5)) {
        const reason = `${options.name} exited (${how}) ${quickCrashes} times in a row shortly after starting; not restarting it (see ${options.logFile})`;
        note(reason);
        options.report(reason);
        options.onFatal(reason);
        return;
      }
      restarts++;
      const waitMs = restartBackoffMs(timings, quickCrashes);
      const line = `${options.name} exited unexpectedly (${how}); restarting it in ${waitMs / 1000} s (restart #${restarts})`;
      note(line);
      options.report(line);
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        if (stopping) return;
        start();
        options.report(`${options.name} restarted (pid ${child.pid})`);
        if (options.ready) {
          const started = child;
          options.ready(started).then(
            () => options.report(`${options.name} is back (pid ${started.pid})`),
            (err: Error) => {
              note(`${options.name} did not become ready after restart: ${err.message}`);
              if (started.exitCode === null && started.signalCode === null) started.kill('SIGKILL');
            },
          );
        }
      }, waitMs);
    });
  };
  start();

  return {
    name: options.name,
    get pid() {
      return child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    pids,
    get restarts() {
      return restarts;
    },
    nextStart: () => new Promise<number>((resolve) => startWaiters.push(resolve)),
    current: () => child,
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      await stopChild(child, timings.stopGraceMs);
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. Resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = DEFAULT_SUPERVISION_TIMINGS.stopGraceMs): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
