import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogEntry,
  type MetricsExporterConfig,
} from '@temporalio/worker';
import { TestWorkflowEnvironment, type LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { devServerExecutable, timeSkippingServerExecutable, withStartRetries } from '../../dev/temporal-servers';

let runtimeInstalled = false;

/**
 * SDK errors as one line each. Tests fail workflows and activities on purpose, which the SDK logs as warnings
 * ("Activity failed", "Workflow failed"): those stay out of the test output, where they read as faults.
 */
function oneLine({ level, message, meta }: LogEntry): void {
  const error = meta?.error as Error | undefined;
  const where = [meta?.workflowType, meta?.activityType].filter(Boolean).join(' ');
  process.stderr.write(
    `[sdk ${level}] ${message}${where ? ` (${where})` : ''}${error ? `: ${error.name}: ${error.message}` : ''}\n`,
  );
}

/**
 * Runtime.install must precede any connection; vitest forks give each test file its own process. `metrics`: a
 * suite that scrapes the Runtime's metrics installs it first, with its exporter.
 */
export function installTestRuntime(metrics?: MetricsExporterConfig): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger('ERROR', oneLine),
    // Core's own warnings (e.g. the time-skipping server not advertising a capability) are about the test setup.
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) }, metrics },
  });
  runtimeInstalled = true;
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const executable = await timeSkippingServerExecutable();
  return withStartRetries(executable, () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }));
}

export async function createLocalEnv(
  options: LocalTestWorkflowEnvironmentOptions = {},
): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const executable = await devServerExecutable();
  // `--output none`: no start-up banner (CLI version, addresses) on the test run's stdout.
  const extraArgs = ['--output', 'none', ...(options.server?.extraArgs ?? [])];
  return withStartRetries(executable, () =>
    TestWorkflowEnvironment.createLocal({ ...options, server: { ...options.server, executable, extraArgs } }),
  );
}
