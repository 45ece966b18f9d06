/**
 * The embedded Temporal dev server `npm start` runs when no TEMPORAL_ADDRESS is set: SQLite on disk so
 * journeys survive a restart, the Web UI on, our search attributes registered, the UI pointed at the codec server.
 * With a `temporal` binary (built into .temporal-bin or TEMPORAL_CLI_PATH) it is a supervised child process that
 * is restarted if it dies; otherwise the SDK's downloaded server is used, which is not supervised.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { devServerExecutable, temporalCliPath, withStartRetries } from '../temporal-servers';
import { supervise, type Supervised } from './supervisor';
import type { SupervisionTimings } from './supervision-timings';

export interface EmbeddedTemporalOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** The Web UI decodes payloads through this URL (the codec server; never a secret in it: the UI publishes it). */
  codecEndpoint?: string;
  report: (line: string) => void;
  onFatal: (reason: string) => void;
  /** Restart backoff and stop grace of the server process (default: 1 s doubling to 30 s, 20 s). */
  timings?: SupervisionTimings;
  /** Aborted during start-up (Ctrl-C): the server is stopped and the start rejects. */
  signal?: AbortSignal;
}

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string;
  /** The server process and its log when this stack owns it. */
  process?: Supervised;
  logFile?: string;
  stop(): Promise<void>;
}

/** Resolves once the frontend answers, or rejects after `timeoutMs`. */
export async function waitForTemporal(
  address: string,
  timeoutMs = 60_000,
  isDead: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isDead()) throw new Error('the Temporal server exited during start-up');
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(
          `the Temporal server at ${address} did not answer within ${timeoutMs / 1000} s (${(err as Error).message})`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  const { dataDir, port, uiPort, codecEndpoint } = options;
  mkdirSync(dataDir, { recursive: true });
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const cli = await temporalCliPath();
  if (!cli) {
    const executable = await devServerExecutable();
    const env = await withStartRetries(executable, () =>
      TestWorkflowEnvironment.createLocal({
        server: {
          executable,
          ip: '127.0.0.1',
          port,
          ui: true,
          uiPort,
          dbFilename: path.join(dataDir, 'temporal.sqlite'),
          searchAttributes: journeySearchAttributeKeys,
          extraArgs: codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : [],
        },
      }),
    );
    return { address, uiUrl, stop: () => env.teardown() };
  }
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--db-filename', path.join(dataDir, 'temporal.sqlite'),
    '--log-level', 'warn',
    ...journeySearchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`]),
    ...(codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : []),
  ]; // prettier-ignore
  const logFile = path.join(dataDir, 'logs', 'temporal.log');
  const server = supervise({
    name: 'Temporal server',
    command: cli,
    args,
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir },
    logFile,
    report: options.report,
    onFatal: options.onFatal,
    // The SQLite file keeps the journeys: a restarted server continues them.
    maxQuickCrashes: 3,
    ...(options.timings ? { timings: options.timings } : {}),
    ready: (child) => waitForTemporal(address, 60_000, () => child.exitCode !== null || child.signalCode !== null),
  });
  try {
    const child = server.current();
    await waitForTemporal(
      address,
      120_000,
      () => child.exitCode !== null || child.signalCode !== null || options.signal?.aborted === true,
    );
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message} (see ${logFile})`);
  }
  return { address, uiUrl, process: server, logFile, stop: () => server.stop() };
}
