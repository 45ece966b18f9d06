/**
 * `<dataDir>/stack.json`: how a running `npm start` is reached. The demo and the CLI read it, so they work
 * against the local stack with no configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Env } from './env';

export const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', '..', '.journey-await');

/** What a client of the running stack (the demo, a test, a shell) needs; written to `<dataDir>/stack.json`. */
export interface StackInfo {
  pid: number;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  webhookUrl: string;
  simulatorUrl?: string;
  simulatedProviders: string[];
  codecUrl: string;
  metricsUrl?: string;
  /** The webhook receiver's Prometheus endpoint. */
  webhookMetricsUrl?: string;
  /** A Prometheus configuration that scrapes both endpoints and loads the alert rules. */
  prometheusConfig?: string;
  /** The app settings the worker and webhook receiver run with (secrets included): the file is mode 0600. */
  env: Record<string, string>;
  /** `temporal` when the stack runs its own Temporal server from a `temporal` binary. */
  logFiles: { worker: string; webhooks: string; temporal?: string };
}

/** The running stack's info, if `npm start` is running with this data dir. */
export function readRunningStack(dataDir: string = DEFAULT_DATA_DIR): StackInfo | undefined {
  const file = path.join(dataDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined; // left behind by a stack that was killed
  }
}

/**
 * With no Temporal connection configured (no TEMPORAL_ADDRESS, profile or config file), point `env` at the
 * running local stack (the one `npm start` runs with the same STACK_DATA_DIR): its address, namespace, task queue
 * and encryption keys. Returns the stack when it did.
 */
export function useRunningStackSettings(
  env: Env,
  dataDir: string = env.STACK_DATA_DIR?.trim() || DEFAULT_DATA_DIR,
): StackInfo | undefined {
  if (env.TEMPORAL_ADDRESS || env.TEMPORAL_PROFILE || env.TEMPORAL_CONFIG_FILE) return undefined;
  const stack = readRunningStack(dataDir);
  if (!stack) return undefined;
  for (const name of [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'JOURNEY_TASK_QUEUE',
    'JOURNEY_ENCRYPTION_KEYS',
    'JOURNEY_ENCRYPTION_KEY_FILE',
  ]) {
    if (stack.env[name] !== undefined && env[name] === undefined) env[name] = stack.env[name];
  }
  return stack;
}
