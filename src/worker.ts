/**
 * `npm run worker`: the journey-await worker process.
 *
 * Start-up order: validate the app's env settings (exit 2, one line per missing or malformed variable) →
 * Runtime.install (structured JSON logs, Prometheus metrics on METRICS_BIND) → NativeConnection from
 * @temporalio/envconfig → Worker. SIGINT/SIGTERM shut the worker down gracefully: polling stops, in-flight
 * fetches get WORKER_SHUTDOWN_GRACE_MS (10 s) to finish before they are cancelled. A shutdown that has not ended
 * SHUTDOWN_EXIT_MARGIN_MS after the grace exits 1 anyway: the SDK waits on its last calls to the server, and a
 * server address that accepts connections but never answers would otherwise keep the process forever.
 *
 * Workflow code: the prebuilt bundle `lib/workflow-bundle.js` (`npm run build`) when present next to this file,
 * else the workflow sources are bundled at start-up (development, `tsx src/worker.ts`).
 */
import { existsSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import path from 'node:path';
import { makeTelemetryFilterString, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, createProviderAgent } from './activities';
import {
  ConfigError,
  configErrorReport,
  journeyDataConverter,
  temporalConnectionFromEnv,
  tracingSettingsFromEnv,
  type TemporalConnection,
  workerSettingsFromEnv,
  type TracingSettings,
  type WorkerSettings,
} from './config';
import { createJsonLogger, type AppLogger } from './logger';
import { startTracing, tracingWorkerOptions, type Tracing } from './tracing';
import { workerPrometheusExporter } from './worker-metrics';

export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';
/** The same workflows with the OpenTelemetry workflow interceptors bundled in, loaded when tracing is on. */
export const TRACED_WORKFLOW_BUNDLE_FILE = 'workflow-bundle-traced.js';
const SHUTDOWN_EXIT_MARGIN_MS = 5_000;
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Prebuilt bundle (production) or the sources (development). */
export function workflowSource(
  dir: string = __dirname,
  explicit?: string,
  traced = false,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const codePath = explicit
    ? path.resolve(explicit)
    : path.join(dir, traced ? TRACED_WORKFLOW_BUNDLE_FILE : WORKFLOW_BUNDLE_FILE);
  if (existsSync(codePath)) return { workflowBundle: { codePath } };
  if (explicit) throw new ConfigError([`JOURNEY_WORKFLOW_BUNDLE: ${explicit} does not exist (run npm run build)`]);
  // A directory: webpack resolves its index (index.ts under tsx, index.js when compiled).
  return { workflowsPath: path.join(__dirname, 'workflows') };
}

function exitWithConfigError(err: ConfigError): never {
  process.stderr.write(`journey-await worker: ${configErrorReport(err)}\n`);
  process.exit(2);
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has shut down and its connection and HTTP pool are closed. */
  done: Promise<void>;
}

/**
 * What a caller may add to the product's worker without changing it: interceptors (the bench times polls), and
 * tracing (OTEL_EXPORTER_OTLP_ENDPOINT; main starts it).
 */
/** What main builds from src/config besides the settings: the payload converter (one key load), tracing, interceptors. */
export type WorkerExtras = Pick<WorkerOptions, 'interceptors' | 'dataConverter'> & { tracing?: Tracing };

/** The tracing interceptors first, then the caller's. */
function mergeInterceptors(
  a: WorkerOptions['interceptors'] = {},
  b: WorkerOptions['interceptors'] = {},
): WorkerOptions['interceptors'] {
  return {
    ...a,
    ...b,
    activity: [...(a.activity ?? []), ...(b.activity ?? [])],
    workflowModules: [...(a.workflowModules ?? []), ...(b.workflowModules ?? [])],
  };
}

/**
 * Creates and runs the worker (after Runtime.install). Exposed for tests, the embedded stack and the bench.
 * It reads no environment: main passes in the settings, the Temporal connection and the payload converter, all
 * from src/config (the converter built once, with the keys main checked).
 */
export async function runWorker(
  settings: WorkerSettings,
  connectConfig: TemporalConnection,
  logger: AppLogger,
  extras: WorkerExtras = {},
): Promise<RunningWorker> {
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(connectConfig.connectionOptions);
  } catch (err) {
    throw new Error(
      `cannot connect to Temporal at ${connectConfig.connectionOptions.address ?? 'localhost:7233'} (${(err as Error).message})`,
      { cause: err },
    );
  }
  const dispatcher = createProviderAgent();
  try {
    const { tracing, interceptors } = extras;
    const source = workflowSource(__dirname, settings.workflowBundle, tracing !== undefined);
    const traced = tracing ? tracingWorkerOptions(tracing, { bundled: 'workflowBundle' in source }) : undefined;
    const worker = await Worker.create({
      connection,
      namespace: connectConfig.namespace,
      taskQueue: settings.taskQueue,
      ...source,
      activities: createActivities({ config: settings.providers, dispatcher }),
      dataConverter: extras.dataConverter,
      shutdownGraceTime: settings.shutdownGraceMs,
      stickyQueueScheduleToStartTimeout: settings.stickyTimeoutMs,
      ...settings.tuning,
      ...(traced || interceptors ? { interceptors: mergeInterceptors(traced?.interceptors, interceptors) } : {}),
      ...(traced?.sinks ? { sinks: traced.sinks } : {}),
    });
    logger.info('worker started', {
      taskQueue: settings.taskQueue,
      namespace: connectConfig.namespace,
      providers: Object.keys(settings.providers).join(','),
      workflows: 'workflowBundle' in source ? 'prebuilt bundle' : 'bundled from sources',
      metrics: settings.metricsBind ?? 'off',
      tracing: tracing ? 'on' : 'off',
      stickyTimeoutMs: settings.stickyTimeoutMs,
      ...settings.tuning,
    });
    const done = worker.run().finally(async () => {
      await connection.close().catch(() => {});
      await dispatcher.close().catch(() => {});
      await tracing?.shutdown().catch(() => {});
      logger.info('worker stopped');
    });
    return { worker, done };
  } catch (err) {
    await connection.close().catch(() => {});
    await dispatcher.close().catch(() => {});
    throw err;
  }
}

export async function main(): Promise<void> {
  let settings: WorkerSettings;
  let tracingSettings: TracingSettings | undefined;
  let connectConfig: TemporalConnection;
  let dataConverter: DataConverter;
  try {
    settings = workerSettingsFromEnv();
    connectConfig = temporalConnectionFromEnv();
    tracingSettings = tracingSettingsFromEnv();
    workflowSource(__dirname, settings.workflowBundle);
    dataConverter = journeyDataConverter();
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }
  const logger = createJsonLogger(settings.logLevel, undefined, { service: 'journey-await-worker' });
  // First, before any connection. The Runtime shuts registered workers down on SIGINT/SIGTERM (graceful).
  Runtime.install({
    logger,
    shutdownSignals: [...SHUTDOWN_SIGNALS],
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(settings.metricsBind ? { metrics: workerPrometheusExporter(settings.metricsBind) } : {}),
    },
  });
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      const limitMs = settings.shutdownGraceMs + SHUTDOWN_EXIT_MARGIN_MS;
      setTimeout(() => {
        logger.error('worker did not stop in time; exiting', { afterMs: limitMs });
        process.exit(1);
      }, limitMs).unref();
    });
  }
  let running: RunningWorker;
  try {
    running = await runWorker(settings, connectConfig, logger, {
      dataConverter,
      tracing: startTracing(tracingSettings, 'journey-await-worker'),
    });
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }
  await running.done;
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(
        `journey-await worker: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
