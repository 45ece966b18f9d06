/**
 * The whole of journey-await on one machine, with no configuration: an embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the codec server, the provider simulator (for providers without credentials), and
 * the worker and webhook receiver as child processes, exactly as they run in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { createCodecServer } from '../../src/codec/codec-server';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { ensureLocalKeyFile } from '../../src/codec/keys';
import { loadCodecKeys } from '../../src/config';
import { providerConfigFromEnv } from '../../src/providers/config';
import { DEFAULT_TASK_QUEUE } from '../../src/shared';
import { startSimulator, type Simulator } from '../simulator';
import { startEmbeddedTemporal, type EmbeddedTemporal } from './embedded-temporal';
import { DEFAULT_DATA_DIR, type StackInfo } from '../../src/config';

export { DEFAULT_DATA_DIR, readRunningStack, type StackInfo } from '../../src/config';

const repoRoot = path.resolve(__dirname, '../..');
/** The settings of this app (as opposed to the rest of the user's environment). */
const APP_ENV_PREFIXES = /^(TEMPORAL|GBG|IDNOW|JOURNEY|WEBHOOK|METRICS|CODEC|LOG)_/;

export interface StackPorts {
  temporal: number;
  ui: number;
  webhooks: number;
  simulator: number;
  codec: number;
  metrics: number;
}

export const DEFAULT_PORTS: StackPorts = { temporal: 7233, ui: 8233, webhooks: 8080, simulator: 4010, codec: 8888, metrics: 9464 };

export interface LocalStackOptions {
  dataDir?: string;
  /** The user's configuration; whatever it leaves out, the stack fills in. */
  env?: NodeJS.ProcessEnv;
  ports?: Partial<StackPorts>;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface LocalStack extends StackInfo {
  simulator?: Simulator;
  stop(): Promise<void>;
}

function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} during start-up (see its log file)`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

const httpOk = (url: string) => async () => (await fetch(url)).ok;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const userEnv = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`[stack] ${line}\n`));
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((err) => log(`stop: ${(err as Error).message}`));
    stops.length = 0;
  };

  try {
    // Children inherit only what they need: the user's settings plus what the stack fills in.
    const env: Record<string, string> = Object.fromEntries(Object.entries(userEnv).filter((e): e is [string, string] => e[1] !== undefined));

    // Payload encryption is on: the user's keys, or a local dev key kept in the data dir.
    if (!env.JOURNEY_ENCRYPTION_KEYS && !env.JOURNEY_ENCRYPTION_KEY_FILE) env.JOURNEY_ENCRYPTION_KEY_FILE = ensureLocalKeyFile(dataDir);
    const keys = loadCodecKeys(env)!;
    env.CODEC_SERVER_TOKEN ??= persistentSecret(path.join(dataDir, 'codec-token'));
    const uiOrigins = [`http://127.0.0.1:${ports.ui}`, `http://localhost:${ports.ui}`];
    const codecServer: http.Server = createCodecServer({ codec: new EncryptionCodec(keys), token: env.CODEC_SERVER_TOKEN, allowedOrigins: uiOrigins });
    await new Promise<void>((resolve, reject) => codecServer.once('error', reject).listen(ports.codec, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => codecServer.close(() => resolve())));
    const codecUrl = `http://127.0.0.1:${ports.codec}`;

    let temporal: EmbeddedTemporal | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      log(`starting the embedded Temporal dev server (data in ${path.relative(process.cwd(), dataDir) || dataDir})…`);
      // The UI cannot send headers of its own to a codec server: the token rides in the endpoint's path.
      temporal = await startEmbeddedTemporal({ dataDir, port: ports.temporal, uiPort: ports.ui, codecEndpoint: `${codecUrl}/${env.CODEC_SERVER_TOKEN}` });
      stops.push(() => temporal!.stop());
      env.TEMPORAL_ADDRESS = temporal.address;
      env.TEMPORAL_NAMESPACE = 'default';
    }

    // The simulator stands in for every provider family that has no credentials configured.
    const configured = providerConfigFromEnv(env);
    const simulated = [!configured.gbg && 'gbg', !configured.idnow && 'idnow'].filter((f): f is string => Boolean(f));
    let simulator: Simulator | undefined;
    if (simulated.length > 0) {
      simulator = await startSimulator({ port: ports.simulator });
      stops.push(() => simulator!.close());
      for (const [name, value] of Object.entries(simulator.env())) {
        if (simulated.some((family) => name.startsWith(`${family.toUpperCase()}_`))) env[name] ??= value;
      }
      if (simulated.includes('gbg') && !env.GBG_WEBHOOK_BASIC_USER && !env.GBG_WEBHOOK_API_KEY) {
        env.GBG_WEBHOOK_BASIC_USER = 'gbg-webhook';
        env.GBG_WEBHOOK_BASIC_PASSWORD = persistentSecret(path.join(dataDir, 'gbg-webhook-password'));
      }
      if (simulated.includes('idnow') && !env.IDNOW_WEBHOOK_JWKS_URL && !env.IDNOW_WEBHOOK_STATIC_HEADER) {
        env.IDNOW_WEBHOOK_JWKS_URL = `${simulator.url}/idnow/oidc/.well-known/jwks.json`;
        env.IDNOW_WEBHOOK_ISSUER = `${simulator.url}/idnow`;
        env.IDNOW_WEBHOOK_AUDIENCE = 'journey-await';
      }
    }

    env.WEBHOOK_PORT ??= String(ports.webhooks);
    env.WEBHOOK_HOST ??= '127.0.0.1';
    env.METRICS_BIND ??= `127.0.0.1:${ports.metrics}`;
    const taskQueue = env.JOURNEY_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;

    const logFiles = { worker: path.join(dataDir, 'logs', 'worker.log'), webhooks: path.join(dataDir, 'logs', 'webhooks.log') };
    const worker = spawnService('worker', 'src/worker.ts', env, logFiles.worker);
    stops.push(() => stopChild(worker));
    const webhooks = spawnService('webhooks', 'src/webhooks/main.ts', env, logFiles.webhooks);
    stops.push(() => stopChild(webhooks));

    const webhookUrl = `http://127.0.0.1:${env.WEBHOOK_PORT}`;
    const metricsOn = !/^(off|none|false|0)$/i.test(env.METRICS_BIND);
    log('starting the worker and the webhook receiver…');
    await Promise.all([
      waitFor('the webhook receiver', httpOk(`${webhookUrl}/healthz`), webhooks),
      waitFor('the worker', () => hasWorkflowPoller(env, taskQueue), worker, 120_000),
    ]);

    const info: StackInfo = {
      pid: process.pid,
      temporalAddress: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue,
      uiUrl: temporal?.uiUrl,
      webhookUrl,
      simulatorUrl: simulator?.url,
      simulatedProviders: simulated.flatMap((family) => (family === 'gbg' ? ['gbg-go-v2', 'gbg-go-v1'] : ['idnow'])),
      codecUrl,
      metricsUrl: metricsOn ? `http://${env.METRICS_BIND}/metrics` : undefined,
      env: Object.fromEntries(Object.entries(env).filter(([name]) => APP_ENV_PREFIXES.test(name))),
      logFiles,
    };
    const stackFile = path.join(dataDir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify(info, null, 2), { mode: 0o600 });
    stops.unshift(async () => rmSync(stackFile, { force: true }));
    return { ...info, simulator, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Ready means polling: a worker that serves metrics may not have reached the task queue yet. */
async function hasWorkflowPoller(env: Record<string, string>, taskQueue: string): Promise<boolean> {
  // The same connection settings (TLS, API key, profile) the worker uses.
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: env });
  const connection = await Connection.connect({ ...connectionOptions, connectTimeout: '2s' } as ConnectionOptions);
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: namespace ?? 'default', taskQueue: { name: taskQueue } });
    return pollers.length > 0;
  } finally {
    await connection.close();
  }
}

function spawnService(name: string, entry: string, env: Record<string, string>, logFile: string): ChildProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...env, PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  child.once('exit', (code, signal) => out.write(`[stack] ${name} exited (${signal ?? code})\n`));
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
