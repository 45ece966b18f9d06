/**
 * `npm start` as a process, supervised: a SIGKILLed worker is restarted (on screen and in its log) and a journey
 * still completes; SIGTERM leaves no process behind; a Temporal server that dies and cannot come back is reported
 * and the stack exits non-zero, again leaving nothing behind; a busy port is named with the setting that moves it.
 * The stacks run with a short restart backoff (STACK_RESTART_BACKOFF_MS) and the journey polls every second: the
 * same supervision and polling logic as with the defaults (checked below), without waiting on human-scale timers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS, runDemo } from '../../dev/stack/demo';
import { readRunningStack } from '../../dev/stack/local-stack';
import { StackSettingError, stackMetricsBind } from '../../dev/stack/ports';
import { stackOptionsFrom } from '../../dev/stack/stack-options';
import {
  DEFAULT_SUPERVISION_TIMINGS,
  restartBackoffMs,
  supervisionTimingsFrom,
} from '../../dev/stack/supervision-timings';
import { eventually } from '../helpers/eventually';
import { freePort, freePorts } from '../helpers/free-ports';

const root = path.resolve(__dirname, '..', '..');
const started: { child: ChildProcess; dataDir: string }[] = [];

interface StackProcess {
  child: ChildProcess;
  dataDir: string;
  ports: number[];
  output: () => string;
  exited: Promise<number | null>;
}

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const kept = Object.entries(process.env).filter(
    ([name, v]) =>
      v !== undefined &&
      !/^(TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS|PROFILE|CONFIG)|GBG|IDNOW|JOURNEY|WEBHOOK|METRICS|CODEC|STACK)_?/.test(
        name,
      ),
  );
  return { ...(Object.fromEntries(kept) as Record<string, string>), ...extra };
}

/** `via: 'npm'` runs `npm start -- …` as an operator does (npm, then the stack its script execs), `demo` the demo. */
async function startStack(
  extraArgs: string[] = [],
  extraEnv: Record<string, string> = {},
  omitFlag?: string,
  via: 'node' | 'npm' | 'demo' = 'node',
): Promise<StackProcess> {
  const ports = await freePorts(7);
  const [temporal, ui, webhooks, simulator, codec, metrics, webhookMetrics] = ports.map(String) as string[];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'journey-await-stack-'));
  const flags: [string, string][] = [
    ['--temporal-port', temporal!],
    ['--ui-port', ui!],
    ['--webhook-port', webhooks!],
    ['--simulator-port', simulator!],
    ['--codec-port', codec!],
    ['--metrics-port', metrics!],
    ['--webhook-metrics-port', webhookMetrics!],
  ];
  const args = flags.filter(([flag]) => flag !== omitFlag).flat();
  const [command, commandArgs] =
    via === 'npm'
      ? ['npm', ['start', '--', ...args, ...extraArgs]]
      : [
          process.execPath,
          ['--import', 'tsx', `dev/stack/${via === 'demo' ? 'demo' : 'start'}.ts`, ...args, ...extraArgs],
        ];
  const child = spawn(command, commandArgs, {
    cwd: root,
    env: cleanEnv({ STACK_DATA_DIR: dataDir, ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ child, dataDir });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, dataDir, ports, output: () => output, exited };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The PIDs still alive once they have had time to stop (bounded); those are then SIGKILLed, not left behind. */
async function survivors(pids: number[]): Promise<number[]> {
  await eventually(() => (pids.some(alive) ? undefined : true), 60_000, 200);
  const left = pids.filter(alive);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  return left;
}

/** `Temporal server started (pid 123)` etc., from the supervisor's lines in the stack's log files. */
function pidsInLogs(dataDir: string): number[] {
  return ['temporal', 'worker', 'webhooks'].flatMap((name) => {
    const file = path.join(dataDir, 'logs', `${name}.log`);
    return existsSync(file)
      ? [...readFileSync(file, 'utf8').matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]))
      : [];
  });
}

/** `worker pid 123` etc., from the start banner and the restart lines. */
function pidsIn(output: string): number[] {
  return [...output.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
}

/** The first match of `pattern` in the stack's output; fails at once if the stack exits first. */
async function waitForOutput(stack: StackProcess, pattern: RegExp, timeoutMs = 180_000): Promise<RegExpMatchArray> {
  let exited = false;
  const found = await eventually(
    () => {
      const match = pattern.exec(stack.output());
      exited = !match && stack.child.exitCode !== null;
      return match ?? (exited ? null : undefined);
    },
    timeoutMs,
    200,
  );
  if (!found)
    throw new Error(`no ${pattern} ${exited ? 'before the stack exited' : 'in time'}; it printed:\n${stack.output()}`);
  return found;
}

afterEach(async () => {
  for (const { child, dataDir } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Restarts come after 100 ms, 200 ms, 400 ms … instead of 1 s, 2 s, 4 s …. */
const QUICK_RESTARTS = { STACK_RESTART_BACKOFF_MS: '100' };

describe('supervision timings', () => {
  it('restarts after 1 s, 2 s, 4 s … up to 30 s and stops with a 20 s grace by default; the env scales them', () => {
    const defaults = supervisionTimingsFrom({});
    expect(defaults).toEqual(DEFAULT_SUPERVISION_TIMINGS);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartBackoffMs(defaults, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(defaults.stopGraceMs).toBe(20_000);
    const quick = supervisionTimingsFrom({ ...QUICK_RESTARTS, STACK_STOP_GRACE_MS: '2000' });
    expect([1, 2, 3].map((n) => restartBackoffMs(quick, n))).toEqual([100, 200, 400]);
    expect(quick.stopGraceMs).toBe(2_000);
    expect(() => supervisionTimingsFrom({ STACK_STOP_GRACE_MS: 'soon' })).toThrow(StackSettingError);
    expect(() => supervisionTimingsFrom({ STACK_RESTART_BACKOFF_MS: '-1' })).toThrow(/STACK_RESTART_BACKOFF_MS/);
  });
});

describe('the stack settings npm start and npm run demo share', () => {
  it('a flag wins over its env var, METRICS_BIND included (its host is kept); off stays off', () => {
    const options = stackOptionsFrom(['--metrics-port', '9998', '--webhook-port', '18081'], {
      METRICS_BIND: '0.0.0.0:9999',
      WEBHOOK_PORT: '18080',
      STACK_DATA_DIR: '/tmp/second-stack',
      ...QUICK_RESTARTS,
    });
    expect(options).toMatchObject({ dataDir: '/tmp/second-stack', timings: { restartBackoffMs: 100 } });
    expect(options.ports).toMatchObject({ metrics: 9998, webhooks: 18081 });
    expect(stackMetricsBind('0.0.0.0:9999', options.ports!.metrics)).toBe('0.0.0.0:9998');
    expect(stackMetricsBind(undefined, 9998)).toBe('127.0.0.1:9998');
    expect(stackMetricsBind('off', 9998)).toBe('off');
    const fromBind = stackOptionsFrom([], { METRICS_BIND: '127.0.0.1:9999' }).ports!.metrics;
    expect(stackMetricsBind('127.0.0.1:9999', fromBind)).toBe('127.0.0.1:9999');
  });

  it('npm run demo uses the running stack of STACK_DATA_DIR (a second stack beside the first)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'journey-await-demo-'));
    // A stack whose process is alive (this one) and whose Temporal server does not answer.
    const info = { pid: process.pid, temporalAddress: '127.0.0.1:1', namespace: 'default', taskQueue: 'q' };
    const stackInfo = { ...info, webhookUrl: 'http://127.0.0.1:1', simulatedProviders: [], codecUrl: '', env: {} };
    writeFileSync(path.join(dataDir, 'stack.json'), JSON.stringify({ ...stackInfo, logFiles: {} }));
    const demo = spawn(process.execPath, ['--import', 'tsx', 'dev/stack/demo.ts'], {
      cwd: root,
      env: cleanEnv({ STACK_DATA_DIR: dataDir, TEMPORAL_CONNECT_TIMEOUT_MS: '1000' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push({ child: demo, dataDir });
    let output = '';
    demo.stdout!.on('data', (d) => (output += d));
    demo.stderr!.on('data', (d) => (output += d));
    const code = await new Promise((resolve) => demo.once('exit', resolve));
    expect(output).toContain('Using the running stack (npm start): Temporal 127.0.0.1:1');
    expect(output).not.toContain('starting one');
    expect(code).toBe(1); // nothing answers there
  }, 120_000);
});

describe('npm run demo starting its own stack', () => {
  it('Ctrl-C during its start-up stops what has started; a busy port exits 2 as npm start does', async () => {
    const stack = await startStack([], {}, undefined, 'demo');
    await waitForOutput(stack, /starting the worker and the webhook receiver/);
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(130);
    expect(await survivors(pidsInLogs(stack.dataDir))).toEqual([]);

    const busy = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const blocked = await startStack(['--codec-port', String(port)], {}, '--codec-port', 'demo');
      expect(await blocked.exited).toBe(2);
      expect(blocked.output()).toContain(`npm run demo: port ${port} (codec server) is already in use`);
    } finally {
      busy.close();
    }
  }, 300_000);
});

describe('npm start, supervised', () => {
  it('restarts a SIGKILLed worker (on screen and in its log), a journey still completes, SIGTERM leaves no process', async () => {
    const stack = await startStack([], QUICK_RESTARTS);
    await waitForOutput(stack, /journey-await is running/);
    const workerPid = Number((await waitForOutput(stack, /worker pid (\d+)/))[1]);
    expect(alive(workerPid)).toBe(true);

    process.kill(workerPid, 'SIGKILL');
    await waitForOutput(stack, /worker exited unexpectedly \(SIGKILL\); restarting it/);
    const newPid = Number((await waitForOutput(stack, /worker restarted \(pid (\d+)\)/))[1]);
    expect(newPid).not.toBe(workerPid);
    expect(alive(newPid)).toBe(true);
    const info = readRunningStack(stack.dataDir)!;
    expect(readFileSync(info.logFiles.worker, 'utf8')).toMatch(/worker exited unexpectedly \(SIGKILL\)/);
    // The banner names every log, the embedded Temporal server's included.
    for (const file of [info.logFiles.worker, info.logFiles.webhooks, info.logFiles.temporal!]) {
      expect(stack.output()).toContain(file);
    }

    const scenario = DEMO_SCENARIOS.find((s) => s.prefix === 'sim-complete-after-2' && s.provider === 'gbg-go-v2')!;
    // Two in-progress polls then completed, one second apart (the demo's real pace is 10 s).
    const fast = { ...scenario, polling: { baseIntervalMs: 1_000 } };
    const [result] = await runDemo(info, { scenarios: [fast], log: () => {}, timeoutMs: 120_000 });
    expect(result).toMatchObject({ status: 'completed', asExpected: true });

    const pids = pidsIn(stack.output());
    expect(pids.length).toBeGreaterThanOrEqual(4); // worker, webhook receiver, Temporal server, restarted worker
    stack.child.kill('SIGTERM');
    expect(await stack.exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 300_000);

  it('SIGTERM to npm itself stops every process (the script execs the stack; it also stops when orphaned)', async () => {
    const stack = await startStack([], {}, undefined, 'npm');
    await waitForOutput(stack, /journey-await is running/);
    const pids = [readRunningStack(stack.dataDir)!.pid, ...pidsIn(stack.output())];
    expect(pids.length).toBe(4); // the stack, worker, webhook receiver, Temporal server
    expect(pids.filter(alive)).toEqual(pids);
    stack.child.kill('SIGTERM');
    await stack.exited;
    expect(await survivors(pids)).toEqual([]);
  }, 300_000);

  it('Ctrl-C during start-up stops what has started (no orphaned Temporal server or worker) and exits 0', async () => {
    const stack = await startStack();
    await waitForOutput(stack, /starting the worker and the webhook receiver/);
    expect(pidsInLogs(stack.dataDir).length).toBeGreaterThanOrEqual(1); // the Temporal server at least
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toMatch(/SIGINT: stopping/);
    expect(await survivors(pidsInLogs(stack.dataDir))).toEqual([]);
  }, 300_000);

  it('a Temporal server that dies and cannot come back is reported; the stack exits 1 and leaves no process', async () => {
    // A worker whose server is gone does not exit on SIGTERM: the stack SIGKILLs it after the grace (2 s here).
    const stack = await startStack([], { ...QUICK_RESTARTS, STACK_STOP_GRACE_MS: '2000' });
    await waitForOutput(stack, /journey-await is running/);
    const temporalPid = Number((await waitForOutput(stack, /Temporal server pid (\d+)/))[1]);
    const temporalPort = stack.ports[0]!;
    const pids = pidsIn(stack.output());

    // Something else takes its port, so every restart fails. The stack is paused meanwhile: its first restart
    // (100 ms later, bound ~150 ms after that) would otherwise race this test for the port.
    let squatter: Server | undefined;
    stack.child.kill('SIGSTOP');
    try {
      process.kill(temporalPid, 'SIGKILL');
      await eventually(
        () =>
          new Promise<true | undefined>((resolve) => {
            const server = createServer();
            server.once('error', () => resolve(undefined));
            server.listen(temporalPort, '127.0.0.1', () => resolve((squatter = server) && true));
          }),
        10_000,
        20,
      );
    } finally {
      stack.child.kill('SIGCONT');
    }
    try {
      expect(squatter).toBeDefined();
      expect(await stack.exited).toBe(1);
      expect(stack.output()).toMatch(/Temporal server exited unexpectedly/);
      expect(stack.output()).toMatch(/npm start: Temporal server exited .* times in a row/);
      expect([...pids, ...pidsIn(stack.output())].filter(alive)).toEqual([]);
    } finally {
      squatter?.close();
    }
  }, 300_000);

  it('a busy port is named with the setting that moves it (flag or env); exit 2 before anything starts', async () => {
    const busy = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const byFlag = await startStack(['--webhook-port', String(port)]);
      expect(await byFlag.exited).toBe(2);
      expect(byFlag.output()).toContain(
        `port ${port} (webhook receiver) is already in use: set WEBHOOK_PORT or --webhook-port`,
      );
      // CODEC_SERVER_PORT is honoured (npm start used to ignore it).
      const byEnv = await startStack([], { CODEC_SERVER_PORT: String(port) }, '--codec-port');
      expect(await byEnv.exited).toBe(2);
      expect(byEnv.output()).toContain(
        `port ${port} (codec server) is already in use: set CODEC_SERVER_PORT or --codec-port`,
      );
      const bad = await startStack(['--ui-port', 'eighty']);
      expect(await bad.exited).toBe(2);
      expect(bad.output()).toContain('--ui-port: expected a port number 1-65535');
    } finally {
      busy.close();
    }
  }, 300_000);
});
