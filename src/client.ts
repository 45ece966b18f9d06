/**
 * The client library services use to start and follow journeys, and the entry of the `journey-await` CLI
 * (`npm run client -- …`; the CLI itself lives in `./cli`).
 *
 *   startJourneyAwait      idempotent start (a running journey is joined, a finished one is not started again)
 *   signalJourneyWebhook   the webhook signal with start semantics (what the webhook receiver does)
 *   getJourneyProgress     execution status + the workflow's journeyProgress query
 *   awaitJourneyResult     the final JourneyState, with optional live progress while waiting
 *   listJourneys           by the JourneyProvider / JourneyStatus search attributes
 */
import { Client, Connection, isGrpcServiceError, ServiceError, WorkflowFailedError, type ConnectionOptions, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, TemporalFailure, ApplicationFailure, type DataConverter } from '@temporalio/common';
import { journeyDataConverter, temporalConnectionFromEnv } from './config';
import { JOURNEY_STATUSES, PROVIDERS, type JourneyProvider, type JourneyState, type JourneyStatus } from './journey';
import {
  DEFAULT_TASK_QUEUE,
  journeyProgressQuery,
  journeyProviderKey,
  journeyStatusKey,
  journeyWebhookSignal,
  journeyWorkflowId,
  WORKFLOW_TYPE,
  type AwaitJourneyInput,
  type JourneyProgress,
  type JourneyWebhook,
} from './shared';
import { journeyStartOptions } from './start';
import type { awaitJourneyCompletion } from './workflows';

export type { AwaitJourneyInput, JourneyProgress, JourneyWebhook } from './shared';
export type { JourneyState } from './journey';

// ---------------------------------------------------------------------------------------------------------
// Typed errors

/** No workflow for this journey (never started, or its retention has expired). */
export class JourneyNotFoundError extends Error {
  override readonly name = 'JourneyNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no journey workflow ${workflowId}`);
  }
}

/** The journey's workflow failed, was cancelled, terminated or timed out (no final JourneyState). */
export class JourneyWorkflowFailedError extends Error {
  override readonly name = 'JourneyWorkflowFailedError';
  constructor(
    readonly workflowId: string,
    /** The ApplicationFailure type (e.g. JourneyPollingExhausted, JourneyRejectedByProvider), when there is one. */
    readonly failureType: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Temporal could not be reached (or did not answer in time). Retrying later is safe. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/** gRPC status codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14. */
const UNAVAILABLE_CODES = new Set<number>([1, 4, 8, 14]);

/** True when an error means "Temporal is unreachable or overloaded right now", not "this request is wrong". */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TemporalUnavailableError) return true;
    if (isGrpcServiceError(e) && UNAVAILABLE_CODES.has(e.code)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code)) return true;
    if (e instanceof Error && /Failed to connect before the deadline|No connection established|connect ECONNREFUSED/i.test(e.message)) return true;
  }
  return false;
}

/** Rethrows Temporal's connection failures as a TemporalUnavailableError with a message free of internals. */
function rethrow(err: unknown): never {
  if (isTemporalUnavailable(err)) throw new TemporalUnavailableError('Temporal is unreachable (check TEMPORAL_ADDRESS or the temporal.toml profile)', { cause: err });
  throw err;
}

// ---------------------------------------------------------------------------------------------------------
// Connection

export interface ConnectOptions {
  /** Connect lazily (first call), so a process can start while Temporal is down. Default false. */
  lazy?: boolean;
  /** envconfig profile (TEMPORAL_PROFILE otherwise). */
  profile?: string;
  /** Override the connection options from envconfig (tests). */
  connectionOptions?: ConnectionOptions;
  namespace?: string;
  dataConverter?: DataConverter;
}

/**
 * A Temporal Client configured from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, or a temporal.toml profile), with the payload codec when encryption keys are configured.
 * Reconnect back-off is capped at 5 s, so a restarted server is found again quickly.
 */
export async function connectClient(options: ConnectOptions = {}): Promise<Client> {
  const loaded = options.connectionOptions ? undefined : temporalConnectionFromEnv(options.profile ? { profile: options.profile } : {});
  const connectionOptions: ConnectionOptions = {
    ...(loaded?.connectionOptions as ConnectionOptions | undefined),
    ...options.connectionOptions,
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 5_000,
      ...options.connectionOptions?.channelArgs,
    },
  };
  let connection: Connection;
  if (options.lazy) connection = Connection.lazy(connectionOptions);
  else {
    try {
      connection = await Connection.connect(connectionOptions);
    } catch (err) {
      rethrow(err);
    }
  }
  return new Client({
    connection,
    namespace: options.namespace ?? loaded?.namespace ?? 'default',
    dataConverter: options.dataConverter ?? journeyDataConverter(),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Start, signal

export interface JourneyRef {
  provider: JourneyProvider;
  journeyId: string;
}

export interface StartJourneyResult {
  workflowId: string;
  runId: string;
  /** The journey had already finished: nothing was started (a finished journey is never started again). */
  alreadyFinished: boolean;
}

/**
 * Starts the journey's workflow, or joins it when it is already running (USE_EXISTING). A journey that has
 * finished is not started again (REJECT_DUPLICATE): the result says so and points at the finished run.
 */
export async function startJourneyAwait(client: Client, input: AwaitJourneyInput, opts: { taskQueue?: string } = {}): Promise<StartJourneyResult> {
  const workflowId = journeyWorkflowId(input.provider, input.journeyId);
  try {
    const handle = await client.workflow.start<typeof awaitJourneyCompletion>(WORKFLOW_TYPE, journeyStartOptions(input, opts.taskQueue ?? DEFAULT_TASK_QUEUE));
    return { workflowId, runId: handle.firstExecutionRunId, alreadyFinished: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const description = await describe(client, workflowId);
      return { workflowId, runId: description.runId, alreadyFinished: true };
    }
    rethrow(err);
  }
}

export type SignalOutcome = 'signalled' | 'already-finished';

/**
 * Delivers a provider webhook to the journey's workflow with start semantics: a running journey is signalled;
 * a journey not started yet is started with the signal (the webhook is kept); a finished journey is left alone
 * (REJECT_DUPLICATE) and the call still succeeds, so a provider's late retry is answered 2xx.
 */
export async function signalJourneyWebhook(
  client: Client,
  ref: JourneyRef & { environment?: string },
  webhook: JourneyWebhook,
  opts: { taskQueue?: string; timeoutMs?: number } = {},
): Promise<SignalOutcome> {
  const input: AwaitJourneyInput = { provider: ref.provider, journeyId: ref.journeyId, ...(ref.environment ? { environment: ref.environment } : {}) };
  const call = () =>
    client.workflow.signalWithStart<typeof awaitJourneyCompletion, [JourneyWebhook]>(WORKFLOW_TYPE, {
      ...journeyStartOptions(input, opts.taskQueue ?? DEFAULT_TASK_QUEUE),
      signal: journeyWebhookSignal,
      signalArgs: [webhook],
    });
  try {
    await (opts.timeoutMs ? client.withDeadline(Date.now() + opts.timeoutMs, call) : call());
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowNotFoundError) return 'already-finished';
    rethrow(err);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Status, result, list

export type ExecutionStatus = WorkflowExecutionDescription['status']['name'];

export interface JourneyStatusReport {
  workflowId: string;
  runId: string;
  provider: JourneyProvider;
  journeyId: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  executionStatus: ExecutionStatus;
  /** The JourneyStatus search attribute (upserted by the workflow on change). */
  journeyStatus?: string;
  startTime: string;
  closeTime?: string;
  /** The workflow's own progress (running journeys; needs a worker to answer the query). */
  progress?: JourneyProgress;
  /** The final state of a completed journey. */
  result?: JourneyState;
  /** Why a failed/cancelled/terminated journey ended. */
  failure?: { type?: string; message: string };
}

async function describe(client: Client, workflowId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new JourneyNotFoundError(workflowId);
    rethrow(err);
  }
}

function handleFor(client: Client, ref: JourneyRef): WorkflowHandle<typeof awaitJourneyCompletion> {
  return client.workflow.getHandle<typeof awaitJourneyCompletion>(journeyWorkflowId(ref.provider, ref.journeyId));
}

function failureOf(err: unknown): { type?: string; message: string } {
  let cause: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  // An activity or child failure wraps the ApplicationFailure that says what happened.
  while (cause instanceof TemporalFailure && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { ...(cause.type ? { type: cause.type } : {}), message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { message: String(cause) };
}

/** Where a journey stands: execution status, search attributes, live progress (running) or result (done). */
export async function getJourneyProgress(client: Client, ref: JourneyRef, opts: { queryTimeoutMs?: number } = {}): Promise<JourneyStatusReport> {
  const workflowId = journeyWorkflowId(ref.provider, ref.journeyId);
  const d = await describe(client, workflowId);
  const report: JourneyStatusReport = {
    workflowId,
    runId: d.runId,
    provider: ref.provider,
    journeyId: ref.journeyId,
    executionStatus: d.status.name,
    startTime: d.startTime.toISOString(),
    ...(d.closeTime ? { closeTime: d.closeTime.toISOString() } : {}),
  };
  const js = d.typedSearchAttributes.get(journeyStatusKey);
  if (js) report.journeyStatus = js;
  const handle = handleFor(client, ref);
  if (d.status.name === 'RUNNING') {
    try {
      report.progress = await client.withDeadline(Date.now() + (opts.queryTimeoutMs ?? 5_000), () => handle.query(journeyProgressQuery));
    } catch (err) {
      if (!isTemporalUnavailable(err)) throw err;
      // No worker answered in time: describe() alone still tells where the journey stands.
    }
  } else {
    try {
      report.result = await handle.result();
    } catch (err) {
      if (isTemporalUnavailable(err)) rethrow(err);
      report.failure = failureOf(err);
    }
  }
  return report;
}

export interface AwaitResultOptions {
  /** Called whenever the progress changes while waiting (polled with the journeyProgress query). */
  onProgress?: (progress: JourneyProgress) => void;
  /** How often to query progress. Default 1 s. */
  progressIntervalMs?: number;
  /** Give up waiting after this long (the journey keeps running). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class AwaitTimeoutError extends Error {
  override readonly name = 'AwaitTimeoutError';
}

/**
 * The final JourneyState (following continue-as-new). Throws JourneyNotFoundError, JourneyWorkflowFailedError
 * (polling exhausted, rejected by the provider, cancelled, terminated), AwaitTimeoutError or TemporalUnavailableError.
 */
export async function awaitJourneyResult(client: Client, ref: JourneyRef, opts: AwaitResultOptions = {}): Promise<JourneyState> {
  const workflowId = journeyWorkflowId(ref.provider, ref.journeyId);
  await describe(client, workflowId); // not found → JourneyNotFoundError before waiting forever
  const handle = handleFor(client, ref);
  let stop = false;
  let last = '';
  const watch = async () => {
    if (!opts.onProgress) return;
    while (!stop) {
      try {
        const progress = await client.withDeadline(Date.now() + 5_000, () => handle.query(journeyProgressQuery));
        const key = JSON.stringify(progress);
        if (!stop && key !== last) {
          last = key;
          opts.onProgress(progress);
        }
      } catch {
        // The journey may have just closed, or no worker answered; the result decides.
      }
      await new Promise((r) => setTimeout(r, opts.progressIntervalMs ?? 1_000));
    }
  };
  const watcher = watch();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = handle.result();
    const racers: Promise<JourneyState>[] = [result];
    if (opts.timeoutMs) {
      racers.push(
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new AwaitTimeoutError(`still waiting for ${workflowId} after ${opts.timeoutMs} ms`)), opts.timeoutMs);
        }),
      );
    }
    if (opts.signal) {
      const signal = opts.signal;
      racers.push(new Promise((_, reject) => signal.addEventListener('abort', () => reject(new AwaitTimeoutError('aborted')), { once: true })));
    }
    result.catch(() => {}); // a losing racer must not become an unhandled rejection
    return await Promise.race(racers);
  } catch (err) {
    if (err instanceof AwaitTimeoutError) throw err;
    if (err instanceof WorkflowNotFoundError) throw new JourneyNotFoundError(workflowId);
    if (err instanceof WorkflowFailedError) {
      const f = failureOf(err);
      throw new JourneyWorkflowFailedError(workflowId, f.type, f.message);
    }
    return rethrow(err);
  } finally {
    stop = true;
    if (timer) clearTimeout(timer);
    await watcher;
  }
}

export interface ListJourneysOptions {
  provider?: JourneyProvider;
  /** The JourneyStatus search attribute. */
  status?: JourneyStatus;
  /** Only running (or only closed) executions. */
  running?: boolean;
  limit?: number;
}

export interface JourneySummary {
  workflowId: string;
  runId: string;
  provider?: string;
  journeyId?: string;
  journeyStatus?: string;
  executionStatus: ExecutionStatus;
  startTime: string;
  closeTime?: string;
}

/** The visibility query for the filters (values are checked against the enums, so nothing is injected). */
export function listQuery(opts: ListJourneysOptions): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (opts.provider) {
    if (!(PROVIDERS as readonly string[]).includes(opts.provider)) throw new TypeError(`unknown provider ${JSON.stringify(opts.provider)}`);
    clauses.push(`${journeyProviderKey.name} = '${opts.provider}'`);
  }
  if (opts.status) {
    if (!(JOURNEY_STATUSES as readonly string[]).includes(opts.status)) throw new TypeError(`unknown status ${JSON.stringify(opts.status)}`);
    clauses.push(`${journeyStatusKey.name} = '${opts.status}'`);
  }
  if (opts.running !== undefined) clauses.push(opts.running ? `ExecutionStatus = 'Running'` : `ExecutionStatus != 'Running'`);
  return clauses.join(' AND ');
}

/** Journeys by provider / status, newest first. */
export async function listJourneys(client: Client, opts: ListJourneysOptions = {}): Promise<JourneySummary[]> {
  const out: JourneySummary[] = [];
  const limit = opts.limit ?? 100;
  try {
    for await (const wf of client.workflow.list({ query: listQuery(opts), pageSize: Math.min(limit, 1000) })) {
      const m = /^journey:([^:]+):(.+)$/.exec(wf.workflowId);
      const journeyStatus = wf.typedSearchAttributes.get(journeyStatusKey);
      const provider = wf.typedSearchAttributes.get(journeyProviderKey) ?? m?.[1];
      out.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        ...(provider ? { provider } : {}),
        ...(m?.[2] ? { journeyId: m[2] } : {}),
        ...(journeyStatus ? { journeyStatus } : {}),
        executionStatus: wf.status.name,
        startTime: wf.startTime.toISOString(),
        ...(wf.closeTime ? { closeTime: wf.closeTime.toISOString() } : {}),
      });
      if (out.length >= limit) break;
    }
  } catch (err) {
    rethrow(err);
  }
  return out;
}

export { ServiceError };

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  void (require('./cli') as typeof import('./cli')).main();
}
