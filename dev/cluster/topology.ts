/**
 * The rest of the production topology as separate processes, the way they run in production: the worker
 * (`node lib/worker.js`) and the webhook receiver (`node lib/webhooks/main.js`) from `npm run build`, and the
 * provider simulator standing in for the providers. Each process logs to its own file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { newKeyEntry } from '../../src/codec/keys';
import { RECEIVER_NODE_FLAGS } from '../../src/webhooks/process-tuning';

const repoRoot = path.resolve(__dirname, '../..');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM (SIGKILL with `kill`); resolves when the process has exited. */
  stop(opts?: { kill?: boolean }): Promise<void>;
}

interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
  /** Resolves once a line of its output matches. */
  readyLine: RegExp;
  timeoutMs?: number;
}

/** Spawns a service, tees its output into its log file, and waits for its ready line. */
async function spawnService({
  name,
  command,
  args,
  env,
  logFile,
  readyLine,
  timeoutMs = 120_000,
}: SpawnOptions): Promise<ServiceProcess & { output: () => string }> {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  let head = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s (log: ${logFile})`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (head.length < 65_536) head += chunk.toString();
      if (readyLine.test(head)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${name} exited (${signal ?? `code ${code}`}) during start-up: ${head.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      );
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => log.end(() => resolve())));
  const service = {
    name,
    child,
    logFile,
    output: () => head,
    async stop({ kill = false } = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(kill ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await ready;
  } catch (err) {
    await service.stop({ kill: true });
    throw err;
  }
  return service;
}

export interface SimulatorProcess extends ServiceProcess {
  url: string;
  /** GBG_* / IDNOW_* settings that point a worker at it. */
  env: Record<string, string>;
}

/** `npm run simulator` in its own process. */
export async function startSimulatorProcess(opts: { port: number; logFile: string }): Promise<SimulatorProcess> {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const service = await spawnService({
    name: 'the provider simulator',
    command: tsx,
    args: ['dev/simulator/main.ts'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      SIMULATOR_PORT: String(opts.port),
      SIMULATOR_HOST: '127.0.0.1',
    },
    logFile: opts.logFile,
    readyLine: /^script a journey/m,
  });
  const output = service.output();
  const url = /provider simulator listening on (\S+)/.exec(output)![1]!;
  const env = Object.fromEntries([...output.matchAll(/^\s+([A-Z][A-Z0-9_]+)=(\S*)$/gm)].map((m) => [m[1]!, m[2]!]));
  return { ...service, url, env };
}

export interface AppSettings {
  temporalAddress: string;
  namespace: string;
  simulator: SimulatorProcess;
  webhookPort: number;
}

/** The worker's and the webhook receiver's settings: the simulator's credentials, webhook auth, an encryption key. */
export function appEnvironment({
  temporalAddress,
  namespace,
  simulator,
  webhookPort,
}: AppSettings): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    // No temporal.toml from the user's home: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE only.
    TEMPORAL_CONFIG_FILE: path.join(repoRoot, 'no-such-temporal.toml'),
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    ...simulator.env,
    GBG_WEBHOOK_BASIC_USER: 'gbg-webhook',
    GBG_WEBHOOK_BASIC_PASSWORD: randomBytes(18).toString('base64url'),
    IDNOW_WEBHOOK_JWKS_URL: `${simulator.url}/idnow/oidc/.well-known/jwks.json`,
    IDNOW_WEBHOOK_ISSUER: `${simulator.url}/idnow`,
    IDNOW_WEBHOOK_AUDIENCE: 'journey-await',
    JOURNEY_ENCRYPTION_KEYS: newKeyEntry('cluster-1'),
    WEBHOOK_HOST: '127.0.0.1',
    WEBHOOK_PORT: String(webhookPort),
    METRICS_BIND: 'off',
  };
}

function built(file: string): string {
  const p = path.join(repoRoot, 'lib', file);
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build first`);
  return p;
}

/** `node lib/worker.js`, ready once it logs that it started polling. */
export function startWorkerProcess(opts: {
  name: string;
  env: Record<string, string>;
  logFile: string;
}): Promise<ServiceProcess> {
  return spawnService({
    name: opts.name,
    command: process.execPath,
    args: [built('worker.js')],
    env: opts.env,
    logFile: opts.logFile,
    readyLine: /"worker started"|worker started/,
  });
}

/** `node <RECEIVER_NODE_FLAGS> lib/webhooks/main.js`, ready once it listens. */
export function startWebhookProcess(opts: { env: Record<string, string>; logFile: string }): Promise<ServiceProcess> {
  return spawnService({
    name: 'the webhook receiver',
    command: process.execPath,
    args: [...RECEIVER_NODE_FLAGS, built('webhooks/main.js')],
    env: opts.env,
    logFile: opts.logFile,
    readyLine: /webhook receiver listening/,
  });
}
