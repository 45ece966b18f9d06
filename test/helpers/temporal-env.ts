import { DefaultLogger, Runtime } from '@temporalio/worker';
import { TestWorkflowEnvironment, type LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { devServerExecutable, timeSkippingServerExecutable, withStartRetries } from '../../dev/temporal-servers';

let runtimeInstalled = false;

/** Runtime.install must precede any connection; vitest forks give each test file its own process. */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const executable = await timeSkippingServerExecutable();
  return withStartRetries(executable, () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }));
}

export async function createLocalEnv(options: LocalTestWorkflowEnvironmentOptions = {}): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const executable = await devServerExecutable();
  return withStartRetries(executable, () =>
    TestWorkflowEnvironment.createLocal({ ...options, server: { ...options.server, executable } }),
  );
}
