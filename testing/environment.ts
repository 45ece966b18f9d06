/**
 * A time-skipping Temporal environment with a journey-await worker (the real `awaitJourneyCompletion` workflow)
 * running on it, the provider simulator, and the real webhook receiver: what a service needs to test its own
 * workflows against scripted identity-verification journeys in seconds of wall-clock time.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type LogLevel,
  type NativeConnection,
} from '@temporalio/worker';
import { expandScript, startSimulator, type ScriptEntry, type Simulator } from '../dev/simulator';
import { timeSkippingServerExecutable, withStartRetries } from '../dev/temporal-servers';
import { createActivities, createProviderAgent } from '../src/activities';
import type { FetchStateInput, JourneyPoll } from '../src/contract/journey-state';
import type { JourneyProvider } from '../src/contract/vocabulary';
import { validateJourneyRef } from '../src/contract/input';
import { DEFAULT_TASK_QUEUE, journeySearchAttributeKeys } from '../src/contract/workflow';
import { createScriptedFetchState, type JourneyFetches } from './scripted-fetch-state';
import { startTestWebhookReceiver, type SendWebhookOptions, type WebhookDelivery } from './webhooks';

export interface JourneyTestEnvironmentOptions {
  /**
   * `simulator` (default): the real `fetchState` activity over HTTP against the provider simulator.
   * `scripted`: an in-process `fetchState` that plays the same scripts without HTTP.
   */
  fetchState?: 'simulator' | 'scripted';
  /** Task queue of the journey-await worker (default `journey-await`): where your code starts journeys. */
  taskQueue?: string;
  /** Script for journeys neither scripted nor named by the convention (default: in progress ×2, then completed). */
  defaultScript?: readonly ScriptEntry[];
  /**
   * A fetch slower than this fails as a timeout (default 7 s, the product's HTTP deadline). Slow replies take real
   * time in simulator mode (time skipping pauses while a fetch is in flight): lower it to test timeouts quickly.
   */
  fetchTimeoutMs?: number;
  /** Use this time-skipping environment instead of starting one (then `teardown()` leaves it running). */
  env?: TestWorkflowEnvironment;
  /** Temporal SDK log level when the kit installs the Runtime (default `ERROR`: failed fetches are expected in tests). */
  logLevel?: LogLevel;
}

export interface JourneyTestEnvironment {
  /** The time-skipping environment: `env.sleep()`, `env.currentTimeMs()`, `env.nativeConnection` for your worker. */
  env: TestWorkflowEnvironment;
  /** A client whose `result()` calls skip time. */
  client: Client;
  nativeConnection: NativeConnection;
  taskQueue: string;
  /** The simulated providers' base URL (fetchState `simulator`; also serves the IDnow JWKS). */
  simulatorUrl: string;
  /** The webhook receiver's base URL: POST `${webhookUrl}/webhooks/<provider>[/<journeyId>]`. */
  webhookUrl: string;
  /**
   * Scripts a journey (the simulator's script language); replaces an earlier script and restarts it. Throws
   * ScriptError for a bad step and InvalidJourneyInputError for a provider or journey id outside the input contract.
   */
  scriptJourney(provider: JourneyProvider, journeyId: string, script: readonly ScriptEntry[]): void;
  /** Delivers the provider's webhook for a journey through the real receiver (auth, parsing, signal-with-start). */
  sendWebhook(provider: JourneyProvider, journeyId: string, options?: SendWebhookOptions): Promise<WebhookDelivery>;
  /** How many state fetches a journey has had, or undefined before its first. */
  journey(provider: JourneyProvider, journeyId: string): JourneyFetches | undefined;
  /** Advances Temporal's clock (timers fire and polls run on the way). */
  sleep(duration: Duration): Promise<void>;
  /** Temporal's clock, epoch ms. */
  now(): Promise<number>;
  /** Stops the worker, the receiver and the simulator, and the environment unless it was passed in; throws if the worker had failed. */
  teardown(): Promise<void>;
}

const workflowsPath = path.join(__dirname, '../src/workflows');

const quietBundler = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

/** One bundle per process: every environment a test file creates runs the same workflow code. */
let journeyBundle: ReturnType<typeof bundleWorkflowCode> | undefined;
function bundleJourneyWorkflows(): ReturnType<typeof bundleWorkflowCode> {
  journeyBundle ??= bundleWorkflowCode({ workflowsPath, logger: quietBundler });
  // A failed bundle is not kept: the next environment tries again.
  journeyBundle.catch(() => (journeyBundle = undefined));
  return journeyBundle;
}

/**
 * The kit installs a quiet Runtime unless the test already installed its own. Core's logs go through the same
 * logger, and only its errors: its warnings here are about the time-skipping server (which advertises none of the
 * capabilities a real server does, e.g. keeping heartbeat details on failure), not about the service's code.
 */
function ensureRuntime(level: LogLevel): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'ERROR', other: level }) },
      },
    });
  } catch (err) {
    if (!/already (been )?(instantiated|installed)/i.test(String(err))) throw err;
  }
}

async function createTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const executable = await timeSkippingServerExecutable();
  return withStartRetries(executable, () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }));
}

/** The workflow sets and upserts these search attributes; the time-skipping server must know them. */
export async function registerJourneySearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        journeySearchAttributeKeys.map((key) => [
          key.name,
          temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
        ]),
      ),
    });
  } catch (err) {
    if (!/already exists/i.test(String(err))) throw err;
  }
}

/** Bad options fail here, with what was wrong, before any server starts. */
function validate(options: JourneyTestEnvironmentOptions): { mode: 'simulator' | 'scripted'; taskQueue: string } {
  const mode = options.fetchState ?? 'simulator';
  if (mode !== 'simulator' && mode !== 'scripted')
    throw new TypeError(`fetchState must be 'simulator' or 'scripted', not ${JSON.stringify(mode)}`);
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  if (typeof taskQueue !== 'string' || taskQueue.trim() === '')
    throw new TypeError('taskQueue must be a non-empty string');
  const timeout = options.fetchTimeoutMs;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0))
    throw new TypeError('fetchTimeoutMs must be a positive number of milliseconds');
  if (options.defaultScript) expandScript(options.defaultScript);
  return { mode, taskQueue };
}

export async function createJourneyTestEnvironment(
  options: JourneyTestEnvironmentOptions = {},
): Promise<JourneyTestEnvironment> {
  const { mode, taskQueue } = validate(options);
  ensureRuntime(options.logLevel ?? 'ERROR');

  const cleanups: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    // Started together; whatever did start is stopped again if another part fails.
    const starting = {
      env: (options.env ? Promise.resolve(options.env) : createTimeSkipping()).then((env) => {
        if (!options.env) cleanups.push(() => env.teardown());
        return env;
      }),
      simulator: startSimulator(options.defaultScript ? { defaultScript: options.defaultScript } : {}).then(
        (simulator) => {
          cleanups.push(() => simulator.close());
          return simulator;
        },
      ),
      bundle: bundleJourneyWorkflows(),
    };
    await Promise.allSettled(Object.values(starting));
    const [env, simulator, workflowBundle] = await Promise.all([starting.env, starting.simulator, starting.bundle]);
    await registerJourneySearchAttributes(env);

    const fetches = fetchStateFor(mode, simulator, options);
    cleanups.push(fetches.close);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: { fetchState: fetches.fetchState },
    });
    // A worker that dies mid-test must not become an unhandled rejection: teardown() reports it instead.
    let workerFailure: unknown;
    const running = worker.run().catch((err: unknown) => {
      workerFailure = err;
    });
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const receiver = await startTestWebhookReceiver(env.client, simulator, taskQueue);
    cleanups.push(() => receiver.close());

    return {
      env,
      client: env.client,
      nativeConnection: env.nativeConnection,
      taskQueue,
      simulatorUrl: simulator.url,
      webhookUrl: receiver.url,
      scriptJourney(provider, journeyId, script) {
        // A journey outside the input contract could only end its workflow with InvalidJourneyInput: say so here.
        validateJourneyRef({ provider, journeyId });
        fetches.script(provider, journeyId, script);
      },
      sendWebhook: (provider, journeyId, webhook) => receiver.send(provider, journeyId, webhook),
      journey: fetches.journey,
      sleep: (duration) => env.sleep(duration),
      now: () => env.currentTimeMs(),
      async teardown() {
        await teardown();
        if (workerFailure) throw new Error('the journey-await worker failed during the test', { cause: workerFailure });
      },
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

interface FetchStateSource {
  fetchState(input: FetchStateInput): Promise<JourneyPoll>;
  script(provider: JourneyProvider, journeyId: string, script: readonly ScriptEntry[]): void;
  journey(provider: JourneyProvider, journeyId: string): JourneyFetches | undefined;
  close(): Promise<void>;
}

function fetchStateFor(
  mode: 'simulator' | 'scripted',
  simulator: Simulator,
  options: JourneyTestEnvironmentOptions,
): FetchStateSource {
  const { defaultScript, fetchTimeoutMs } = options;
  if (mode === 'scripted') {
    const scripted = createScriptedFetchState({
      ...(defaultScript ? { defaultScript } : {}),
      ...(fetchTimeoutMs ? { timeoutMs: fetchTimeoutMs } : {}),
    });
    return { ...scripted, close: async () => {} };
  }
  const dispatcher = createProviderAgent();
  const http = fetchTimeoutMs ? { totalTimeoutMs: fetchTimeoutMs } : {};
  const { fetchState } = createActivities({ config: simulator.providerConfig(), dispatcher, http });
  return {
    fetchState,
    script: (provider, journeyId, script) => simulator.script(provider, journeyId, script),
    journey: (provider, journeyId) => {
      const info = simulator.journey(provider, journeyId);
      return info
        ? { provider, journeyId, fetches: info.fetches, ...(info.lastStatus ? { lastStatus: info.lastStatus } : {}) }
        : undefined;
    },
    close: () => dispatcher.close(),
  };
}
