/**
 * Misused arguments of the client library and the CLI, against the dev server: each is a typed error naming the
 * argument (CLI: exit 2 naming the option) before anything starts, never a crash, a busy loop, a silent drop, a
 * lie ("Temporal is unreachable") or an echo of a journey id. No worker runs: journeys started here stay running.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli';
import {
  AwaitTimeoutError,
  awaitJourneyResult,
  connectClient,
  getJourneyHandle,
  getJourneyStatus,
  InvalidJourneyInputError,
  listJourneys,
  signalJourneyWebhook,
  startJourneyAwait,
  type JourneyRef,
} from '../../src/client';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { eventually } from '../helpers/eventually';
import { runCliCaptured } from '../helpers/run-cli';
import { createLocalEnv } from '../helpers/temporal-env';

const root = path.resolve(__dirname, '..', '..');
/** No worker polls it: a journey started here waits for ever. */
const TASK_QUEUE = `args-${randomUUID().slice(0, 8)}`;
let env: TestWorkflowEnvironment;
let running: JourneyRef;

beforeAll(async () => {
  env = await createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } });
  running = { provider: 'idnow', journeyId: `args-running-${randomUUID()}` };
  await startJourneyAwait(env.client, running, { taskQueue: TASK_QUEUE });
});

afterAll(async () => {
  await env?.teardown();
});

async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );
}

/** The typed error's field, or what was thrown or returned instead. */
async function fieldOf(call: () => unknown): Promise<string> {
  try {
    const value = await call();
    return `no error: ${JSON.stringify(value)}`;
  } catch (err) {
    return err instanceof InvalidJourneyInputError ? err.field : `${(err as Error).name}: ${(err as Error).message}`;
  }
}

const newId = (tag: string) => `${tag}-${randomUUID()}`;

describe('client library', () => {
  it('a journey reference that breaks the contract is refused before any call, for every function', async () => {
    const c = env.client;
    const refs: [unknown, string][] = [
      [{ provider: 'onfido', journeyId: newId('ref') }, 'provider'],
      [{ provider: 'idnow', journeyId: '' }, 'journeyId'],
      [{ provider: 'idnow', journeyId: `line\nbreak-${randomUUID()}` }, 'journeyId'],
      [{ provider: 'idnow', journeyId: 'x'.repeat(5_000) }, 'journeyId'],
      [null, 'input'],
    ];
    for (const [ref, field] of refs) {
      const r = ref as JourneyRef;
      expect(await fieldOf(() => getJourneyStatus(c, r)), field).toBe(field);
      expect(await fieldOf(() => awaitJourneyResult(c, r)), field).toBe(field);
      expect(await fieldOf(() => getJourneyHandle(c, r)), field).toBe(field);
      expect(await fieldOf(() => signalJourneyWebhook(c, r, {}, { taskQueue: TASK_QUEUE })), field).toBe(field);
      expect(await fieldOf(() => startJourneyAwait(c, r, { taskQueue: TASK_QUEUE })), field).toBe(field);
    }
  });

  it('task queues, timeouts, intervals and limits out of range name the argument; nothing starts or hangs', async () => {
    const c = env.client;
    const fresh = { provider: 'gbg-go-v2' as const, journeyId: newId('args-tq') };
    for (const taskQueue of ['', 'has space', 'q'.repeat(2_000)]) {
      expect(await fieldOf(() => startJourneyAwait(c, fresh, { taskQueue }))).toBe('taskQueue');
      expect(await fieldOf(() => signalJourneyWebhook(c, fresh, {}, { taskQueue }))).toBe('taskQueue');
    }
    expect(await workflowExists(c, journeyWorkflowId(fresh.provider, fresh.journeyId))).toBe(false);
    // Past a Node timer's range the wait used to end at once; 0 and NaN used to wait for ever; 0 ms between
    // progress queries queried in a busy loop; a NaN query deadline crashed the process from inside gRPC.
    for (const timeoutMs of [3e9, 0, -5, Number.NaN, 1.5])
      expect(await fieldOf(() => awaitJourneyResult(c, running, { timeoutMs })), String(timeoutMs)).toBe('timeoutMs');
    for (const progressIntervalMs of [0, -1, Number.NaN])
      expect(await fieldOf(() => awaitJourneyResult(c, running, { progressIntervalMs, onProgress: () => {} }))).toBe(
        'progressIntervalMs',
      );
    expect(await fieldOf(() => awaitJourneyResult(c, running, { onProgress: 'log' as never }))).toBe('onProgress');
    for (const queryTimeoutMs of [Number.NaN, -1, 1e12])
      expect(await fieldOf(() => getJourneyStatus(c, running, { queryTimeoutMs }))).toBe('queryTimeoutMs');
    // A negative deadline was reported as "Temporal is unreachable".
    for (const timeoutMs of [-1, Number.NaN, 1e12])
      expect(await fieldOf(() => signalJourneyWebhook(c, running, {}, { timeoutMs, taskQueue: TASK_QUEUE }))).toBe(
        'timeoutMs',
      );
    // Each of these used to return one row.
    for (const limit of [0, -1, Number.NaN, 1.5, 1e9])
      expect(await fieldOf(() => listJourneys(c, { limit }))).toBe('limit');
    expect(await fieldOf(() => listJourneys(c, { running: 'no' as never }))).toBe('running');
    expect(await fieldOf(() => listJourneys(c, { provider: "idnow' OR 'a'='a" as never }))).toBe('provider');
  });

  it('fields outside the public input are refused: PII would be stored in history, internal ones change the workflow', async () => {
    const customer = { firstName: 'Zelda-Quixote', dateOfBirth: '1990-01-01' };
    const journeyId = newId('args-extra');
    const inputs: [Record<string, unknown>, string][] = [
      [{ ...customer, provider: 'idnow', journeyId }, 'firstName'],
      [{ provider: 'idnow', journeyId, carried: { polls: 0, consecutiveErrors: 29 } }, 'carried'],
      [{ provider: 'idnow', journeyId, historyEventBudget: 1 }, 'historyEventBudget'],
    ];
    for (const [input, field] of inputs)
      expect(await fieldOf(() => startJourneyAwait(env.client, input as never, { taskQueue: TASK_QUEUE }))).toBe(field);
    expect(await workflowExists(env.client, journeyWorkflowId('idnow', journeyId))).toBe(false);
  });

  it('a GBG region outside eu/us/au is refused at start, naming environment (it used to fail at the first fetch)', async () => {
    const journeyId = newId('args-region');
    const input = { provider: 'gbg-go-v2' as const, journeyId, environment: 'zz' };
    expect(await fieldOf(() => startJourneyAwait(env.client, input, { taskQueue: TASK_QUEUE }))).toBe('environment');
    expect(await workflowExists(env.client, journeyWorkflowId('gbg-go-v2', journeyId))).toBe(false);
  });

  it('the webhook signal: only small known fields (the workflow keeps event ids across runs)', async () => {
    const c = env.client;
    const fresh = { provider: 'idnow' as const, journeyId: newId('args-hook') };
    const webhooks: [unknown, string][] = [
      [null, 'webhook'],
      ['COMPLETED', 'webhook'],
      [{ eventId: 'e'.repeat(100_000) }, 'webhook.eventId'],
      [{ eventId: '' }, 'webhook.eventId'],
      [{ eventId: 42 }, 'webhook.eventId'],
      [{ providerStatus: { nested: true } }, 'webhook.providerStatus'],
      [{ receivedAt: 'yesterday' }, 'webhook.receivedAt'],
      [{ eventId: 'e1', body: { firstName: 'Zelda' } }, 'webhook.body'],
    ];
    for (const [webhook, field] of webhooks) {
      expect(await fieldOf(() => signalJourneyWebhook(c, fresh, webhook as never, { taskQueue: TASK_QUEUE }))).toBe(
        field,
      );
    }
    expect(await workflowExists(c, journeyWorkflowId(fresh.provider, fresh.journeyId))).toBe(false);
    expect(
      await signalJourneyWebhook(
        c,
        fresh,
        { eventId: 'e1', providerStatus: 'SUCCESS', receivedAt: new Date().toISOString() },
        { taskQueue: TASK_QUEUE },
      ),
    ).toBe('signalled');
  });

  it('an already aborted signal stops the wait at once (it used to wait for the result)', async () => {
    await expect(awaitJourneyResult(env.client, running, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AwaitTimeoutError,
    );
  });

  it("a wait that ends leaves no listener on the caller's signal (a service may reuse one for many waits)", async () => {
    const caller = new AbortController();
    const waited = awaitJourneyResult(env.client, running, { timeoutMs: 200, signal: caller.signal });
    await expect(waited).rejects.toBeInstanceOf(AwaitTimeoutError);
    expect(getEventListeners(caller.signal, 'abort')).toEqual([]);
  });

  it('a wait that times out leaves no long poll or progress query behind', async () => {
    // Calls by method as they start and end; an abandoned result long poll used to keep polling until the journey
    // ended, and crashed the process on its next retry once the connection was closed.
    const inFlight = new Map<string, number>();
    const ended: { method: string; code: number }[] = [];
    const counting: Interceptor = (options, nextCall) => {
      const method = options.method_definition.path.split('/').pop()!;
      return new InterceptingCall(nextCall(options), {
        start(metadata, _listener, next) {
          inFlight.set(method, (inFlight.get(method) ?? 0) + 1);
          next(metadata, {
            onReceiveStatus(status, nextStatus) {
              inFlight.set(method, inFlight.get(method)! - 1);
              ended.push({ method, code: status.code });
              nextStatus(status);
            },
          });
        },
      });
    };
    const client = await connectClient({
      connectionOptions: {
        address: env.address,
        interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), counting],
      },
    });
    try {
      const waited = awaitJourneyResult(client, running, {
        timeoutMs: 300,
        progressIntervalMs: 100,
        onProgress: () => {},
      });
      await expect(waited).rejects.toBeInstanceOf(AwaitTimeoutError);
      expect(
        await eventually(() => ((inFlight.get('GetWorkflowExecutionHistory') ?? 0) === 0 ? true : undefined), 10_000),
      ).toBe(true);
      // No worker answers the progress query: it is cancelled (1) with the wait, not left to its deadline (4).
      expect(ended.filter((e) => e.method === 'QueryWorkflow').map((e) => e.code)).toEqual([1]);
    } finally {
      await client.connection.close();
    }
  });
});

const cli = (...args: string[]) => runCliCaptured(env.client, [...args, '--task-queue', TASK_QUEUE]);

describe('CLI', () => {
  it('an option the command does not take, a repeated or empty option, a malformed count: exit 2, nothing starts', async () => {
    const journeyId = newId('cli-args');
    const cases: [string[], RegExp][] = [
      [['start', 'idnow', journeyId, '--timeout', '5s'], /--timeout does not apply to start/],
      [['start', 'idnow', journeyId, '--wait'], /--wait does not apply to start/],
      [['start', 'idnow', journeyId, '--interval', '1s', '--interval', '1h'], /--interval is given more than once/],
      [['start', 'idnow', journeyId, '--environment', ''], /--environment: empty value/],
      [['start', 'idnow', journeyId, '--max-errors', '0x10'], /--max-errors: expected a whole number/],
      [['start', 'idnow', journeyId, '--max-errors', '1e1'], /--max-errors: expected a whole number/],
      [['status', 'idnow', journeyId, '--interval', '5s'], /--interval does not apply to status/],
      [['list', '--wait'], /--wait does not apply to list/],
      [['list', '--limit', '1e9'], /--limit: expected a whole number/],
      [['list', '--limit', '20000'], /--limit: must be a whole number from 1 to 10000/],
      [['result', 'idnow', running.journeyId, '--timeout', '5s'], /--timeout needs --wait/],
      // 30 days is past a Node timer's range (it used to end the wait at once, exit 4); 0 used to wait for ever.
      [['result', 'idnow', running.journeyId, '--wait', '--timeout', '30d'], /--timeout: must be a whole number/],
      [['result', 'idnow', running.journeyId, '--wait', '--timeout', '0'], /--timeout: must be a whole number/],
      // An empty event id used to be dropped silently; a long one went into the workflow's state.
      [['signal', 'idnow', journeyId, '--event-id', ''], /--event-id: empty value/],
      [['signal', 'idnow', journeyId, '--event-id', 'e'.repeat(300)], /--event-id: must be 1–256 characters/],
      [['signal', 'idnow', journeyId, '--profile', ''], /--profile: empty value/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(EXIT.USAGE);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    // The test's own --task-queue is left out here: a second one would be the repeated-option error.
    const badQueue = await runCliCaptured(env.client, ['start', 'idnow', journeyId, '--task-queue', 'has space']);
    expect(badQueue.code).toBe(EXIT.USAGE);
    expect(badQueue.err).toMatch(/--task-queue: must be 1–200 characters/);
    expect(await workflowExists(env.client, journeyWorkflowId('idnow', journeyId))).toBe(false);
  });

  it('start gbg-go-v2 --environment zz: exit 2 naming environment, nothing starts', async () => {
    const journeyId = newId('cli-region');
    const r = await cli('start', 'gbg-go-v2', journeyId, '--environment', 'zz');
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/--environment: must be a GBG region: one of eu, us, au/);
    expect(await workflowExists(env.client, journeyWorkflowId('gbg-go-v2', journeyId))).toBe(false);
  });

  it('swapped <provider> <journeyId>: exit 2 without printing the journey id', async () => {
    const journeyId = newId('cli-swapped');
    const r = await cli('start', journeyId, 'idnow');
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/unknown provider \(use gbg-go-v2, gbg-go-v1, idnow\)/);
    expect(r.err).not.toContain(journeyId);
  });

  it('a namespace the server does not have is a configuration error (exit 2), not "unreachable" (5)', async () => {
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'list'], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: tmpdir(),
          TEMPORAL_CONFIG_FILE: path.join(tmpdir(), 'no-such-temporal.toml'),
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: 'no-such-namespace',
        },
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => resolve({ code, err }));
    });
    expect(r.code, r.err).toBe(EXIT.USAGE);
    expect(r.err).toContain('TEMPORAL_NAMESPACE');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
