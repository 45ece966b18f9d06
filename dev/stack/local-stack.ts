/**
 * The whole of journey-await on one machine, with no configuration: an embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the codec server, the provider simulator (for providers without credentials), and
 * the worker and webhook receiver as child processes, exactly as they run in production.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { createCodecServer } from '../../src/codec/codec-server';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { loadCodecKeys, metricsDisabled, temporalConnectionFromEnv } from '../../src/config';
import { providerConfigFromEnv } from '../../src/providers/config';
import { DEFAULT_TASK_QUEUE } from '../../src/contract/workflow';
import { RECEIVER_NODE_FLAGS } from '../../src/webhooks/process-tuning';
import { startSimulator, type Simulator } from '../simulator';
import { startEmbeddedTemporal, type EmbeddedTemporal } from './embedded-temporal';
import { ensureLocalKeyFile } from './local-key';
import { DEFAULT_PORTS, ensurePortsFree, stackMetricsBind, type StackPorts } from './ports';
import { writeStackPrometheusConfig } from './prometheus-config';
import { supervise, type Supervised } from './supervisor';
import type { SupervisionTimings } from './supervision-timings';
import { DEFAULT_DATA_DIR, type StackInfo } from '../../src/config';

export { DEFAULT_DATA_DIR, readRunningStack, type StackInfo } from '../../src/config';

const repoRoot = path.resolve(__dirname, '../..');
/** The settings of this app (as opposed to the rest of the user's environment). */
const APP_ENV_PREFIXES = /^(TEMPORAL|GBG|IDNOW|JOURNEY|WEBHOOK|METRICS|CODEC|LOG)_/;

export { DEFAULT_PORTS, PORT_SETTINGS, type StackPorts } from './ports';

export interface LocalStackOptions {
  dataDir?: string;
  /** The user's configuration; whatever it leaves out, the stack fills in. */
  env?: NodeJS.ProcessEnv;
  ports?: Partial<StackPorts>;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Restart backoff and stop grace of the supervised processes (default: 1 s doubling to 30 s, 20 s). */
  timings?: SupervisionTimings;
  /** Aborted (Ctrl-C or SIGTERM during start-up): what has started is stopped and the start rejects. */
  signal?: AbortSignal;
}

export interface LocalStack extends StackInfo {
  simulator?: Simulator;
  /** The supervised child processes (Temporal only when embedded and run from a `temporal` binary). */
  services: { worker: Supervised; webhooks: Supervised; temporal?: Supervised };
  /** Resolves with the reason when a service cannot be recovered; the stack should then be stopped. */
  fatal: Promise<string>;
  stop(): Promise<void>;
}

function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** A start-up interrupted through `signal`: everything it had started has been stopped. */
export class StackStartInterrupted extends Error {
  override readonly name = 'StackStartInterrupted';
  constructor() {
    super('start-up interrupted');
  }
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StackStartInterrupted();
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  service: Supervised,
  signal: AbortSignal | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    throwIfInterrupted(signal);
    if (service.restarts > 0 || service.pid === undefined)
      throw new Error(`${what} exited during start-up (see its log file)`);
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
  let reportFatal: (reason: string) => void = () => {};
  const fatal = new Promise<string>((resolve) => (reportFatal = resolve));

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((err) => log(`stop: ${(err as Error).message}`));
    stops.length = 0;
  };

  try {
    // Children inherit only what they need: the user's settings plus what the stack fills in.
    const env: Record<string, string> = Object.fromEntries(
      Object.entries(userEnv).filter((e): e is [string, string] => e[1] !== undefined),
    );

    // Payload encryption is on: the user's keys, or a local dev key kept in the data dir.
    if (!env.JOURNEY_ENCRYPTION_KEYS && !env.JOURNEY_ENCRYPTION_KEY_FILE)
      env.JOURNEY_ENCRYPTION_KEY_FILE = ensureLocalKeyFile(dataDir);
    const keys = loadCodecKeys(env)!;
    const configured = providerConfigFromEnv(env);
    const simulated = [!configured.gbg && 'gbg', !configured.idnow && 'idnow'].filter((f): f is string => Boolean(f));
    const metricsBind = stackMetricsBind(env.METRICS_BIND, options.ports?.metrics);
    const metricsOn = !metricsDisabled(metricsBind);
    // The receiver's /metrics: the stack's port (flag, STACK_WEBHOOK_METRICS_PORT or 9465) unless turned off.
    const webhookMetricsBind = stackMetricsBind(env.WEBHOOK_METRICS_BIND, ports.webhookMetrics);
    const webhookMetricsOn = !metricsDisabled(webhookMetricsBind);
    await ensurePortsFree(ports, [
      'codec',
      'webhooks',
      ...(env.TEMPORAL_ADDRESS ? [] : (['temporal', 'ui'] as const)),
      ...(simulated.length > 0 ? (['simulator'] as const) : []),
      ...(metricsOn && metricsBind.startsWith('127.0.0.1:') ? (['metrics'] as const) : []),
      ...(webhookMetricsOn && webhookMetricsBind.startsWith('127.0.0.1:') ? (['webhookMetrics'] as const) : []),
    ]);
    const uiOrigins = [`http://127.0.0.1:${ports.ui}`, `http://localhost:${ports.ui}`];
    // The dev server's Web UI has no login and cannot add a header of its own, so a token would have to ride in
    // the codec endpoint's URL, which the UI hands to every visitor: the codec server answers loopback only instead.
    const codecServer = createCodecServer({
      codec: new EncryptionCodec(keys),
      access: { mode: 'loopback' },
      allowedOrigins: uiOrigins,
    });
    await codecServer.listen({ port: ports.codec, host: '127.0.0.1' });
    stops.push(() => codecServer.close());
    const codecUrl = `http://127.0.0.1:${ports.codec}`;
    log(
      `codec server on ${codecUrl} in loopback-only mode: the Web UI decodes without a credential, for this machine only (production: CODEC_SERVER_AUTH=oidc, docs/production.md)`,
    );

    let temporal: EmbeddedTemporal | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      log(`starting the embedded Temporal dev server (data in ${path.relative(process.cwd(), dataDir) || dataDir})…`);
      temporal = await startEmbeddedTemporal({
        dataDir,
        port: ports.temporal,
        uiPort: ports.ui,
        codecEndpoint: codecUrl,
        report: log,
        onFatal: reportFatal,
        ...(options.timings ? { timings: options.timings } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      stops.push(() => temporal!.stop());
      throwIfInterrupted(options.signal);
      env.TEMPORAL_ADDRESS = temporal.address;
      env.TEMPORAL_NAMESPACE = 'default';
    }

    // The simulator stands in for every provider family that has no credentials configured.
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

    env.WEBHOOK_PORT = String(ports.webhooks);
    env.WEBHOOK_HOST ??= '127.0.0.1';
    env.METRICS_BIND = metricsBind;
    env.WEBHOOK_METRICS_BIND = webhookMetricsBind;
    const taskQueue = env.JOURNEY_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;

    const logFiles = {
      worker: path.join(dataDir, 'logs', 'worker.log'),
      webhooks: path.join(dataDir, 'logs', 'webhooks.log'),
      ...(temporal?.logFile ? { temporal: temporal.logFile } : {}),
    };
    const service = (name: string, entry: string, logFile: string, nodeFlags: readonly string[] = []) =>
      supervise({
        name,
        // node itself with tsx loaded in-process: the PID is the service's, not a launcher's.
        command: process.execPath,
        args: [...nodeFlags, '--import', 'tsx', path.join(repoRoot, entry)],
        cwd: repoRoot,
        env: { ...env, PATH: process.env.PATH ?? '' },
        logFile,
        report: log,
        onFatal: reportFatal,
        ...(options.timings ? { timings: options.timings } : {}),
      });
    const worker = service('worker', 'src/worker.ts', logFiles.worker);
    stops.push(() => worker.stop());
    const webhooks = service('webhook receiver', 'src/webhooks/main.ts', logFiles.webhooks, RECEIVER_NODE_FLAGS);
    stops.push(() => webhooks.stop());

    const webhookUrl = `http://127.0.0.1:${env.WEBHOOK_PORT}`;
    log('starting the worker and the webhook receiver…');
    await Promise.all([
      waitFor('the webhook receiver', httpOk(`${webhookUrl}/healthz`), webhooks, options.signal),
      waitFor('the worker', () => hasWorkflowPoller(env, taskQueue), worker, options.signal, 120_000),
    ]);
    throwIfInterrupted(options.signal);

    const metricsUrls = {
      ...(metricsOn ? { worker: `http://${env.METRICS_BIND}/metrics` } : {}),
      ...(webhookMetricsOn ? { webhooks: `http://${env.WEBHOOK_METRICS_BIND}/metrics` } : {}),
    };
    const prometheusFile = writeStackPrometheusConfig(dataDir, metricsUrls);
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
      metricsUrl: metricsUrls.worker,
      webhookMetricsUrl: metricsUrls.webhooks,
      prometheusConfig: prometheusFile,
      env: Object.fromEntries(Object.entries(env).filter(([name]) => APP_ENV_PREFIXES.test(name))),
      logFiles,
    };
    const stackFile = path.join(dataDir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify(info, null, 2), { mode: 0o600 });
    stops.unshift(async () => rmSync(stackFile, { force: true }));
    return {
      ...info,
      simulator,
      services: { worker, webhooks, ...(temporal?.process ? { temporal: temporal.process } : {}) },
      fatal,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Ready means polling: a worker that serves metrics may not have reached the task queue yet. */
async function hasWorkflowPoller(env: Record<string, string>, taskQueue: string): Promise<boolean> {
  // The same connection settings (TLS, API key, profile) the worker uses.
  const { connectionOptions, namespace } = temporalConnectionFromEnv({ env });
  const connection = await Connection.connect({ ...connectionOptions, connectTimeout: '2s' } as ConnectionOptions);
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
    });
    return pollers.length > 0;
  } finally {
    await connection.close();
  }
}
