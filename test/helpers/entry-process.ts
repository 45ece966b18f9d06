/** Process tests run the product's entry points as users do (node + tsx), with none of the developer's settings. */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** Only PATH, a scratch HOME and a Temporal config file that does not exist: every setting comes from `env`. */
const cleanEnv = {
  PATH: process.env.PATH ?? '',
  HOME: tmpdir(),
  TEMPORAL_CONFIG_FILE: path.join(tmpdir(), 'no-such-temporal.toml'),
};

/**
 * Starting an entry point compiles it with tsx and, for the worker, bundles the workflows: seconds of CPU, many
 * more on a loaded machine. A process that exits is noticed at once, so this bound only matters for a hang.
 */
const START_TIMEOUT_MS = 120_000;

export interface EntryExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type EntryProcess = ReturnType<typeof spawnEntry>;

/** Entry processes still running when the test file's process ends (a test that timed out) are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns `entry` (a path from the repository root), node given `nodeFlags`, and collects its output until it exits. */
export function spawnEntry(entry: string, env: Record<string, string>, nodeFlags: readonly string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...cleanEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': by then the pipes are drained, so the last lines the process printed are in the result.
  const exited = new Promise<EntryExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  const printed = () => `${stdout}${stderr}`;
  const exitedEarly = (what: string) =>
    exited.then(({ code }) => {
      throw new Error(`${entry} exited (code ${code}) before ${what}; it printed:\n${printed()}`);
    });

  /** The first match of `pattern` in what the process printed; fails at once if it exits first. */
  function waitForOutput(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpMatchArray> {
    let timer: NodeJS.Timeout | undefined;
    let onData: (() => void) | undefined;
    const found = new Promise<RegExpMatchArray>((resolve, reject) => {
      onData = () => {
        const match = pattern.exec(printed());
        if (match) resolve(match);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      timer = setTimeout(
        () => reject(new Error(`${entry} printed no ${pattern} within ${timeoutMs / 1000} s:\n${printed()}`)),
        timeoutMs,
      );
      onData();
    });
    return Promise.race([found, exitedEarly(`printing ${pattern}`)]).finally(() => {
      clearTimeout(timer);
      child.stdout.off('data', onData!);
      child.stderr.off('data', onData!);
    });
  }

  /** `work`, unless the process exits first: then fails at once, with what it printed, instead of hanging. */
  function whileRunning<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, exitedEarly('the test was done with it')]);
  }

  return { child, exited, output: () => stdout, waitForOutput, whileRunning };
}
