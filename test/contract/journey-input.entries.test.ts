/**
 * The journey input contract at every entry, on Temporal's time-skipping server: the client library and the CLI
 * refuse bad input before anything starts, the webhook receiver uses the same journey id rule, and a workflow
 * started with bad input by another tool fails at once with `InvalidJourneyInput` (no fetch, no busy loop).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli';
import { startJourneyAwait } from '../../src/client';
import { INVALID_JOURNEY_INPUT, InvalidJourneyInputError } from '../../src/contract/errors';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import { WORKFLOW_TYPE } from '../../src/contract/workflow';
import { createWebhookServer } from '../../src/webhooks/server';
import {
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  journeyInput,
  maybeSaveHistory,
  scriptedFetch,
} from '../helpers/workflow-env';
import { createJourneyWorker } from '../helpers/journey-worker';
import { runCliCaptured } from '../helpers/run-cli';

const TASK_QUEUE = `input-${randomUUID().slice(0, 8)}`;
const BASIC = { username: 'gbg-hook', password: 'input-test-password' };
let env: TestWorkflowEnvironment;
let worker: Worker;
let workerDone: Promise<void>;
let fetches: ReturnType<typeof scriptedFetch>['calls'];
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  env = await createJourneyTestEnv();
  const fetch = scriptedFetch(env, [{ status: 'in_progress' }]);
  fetches = fetch.calls;
  worker = await createJourneyWorker(env, {
    bundle: await bundleJourneyWorkflows(),
    taskQueue: TASK_QUEUE,
    activities: fetch.activities,
  });
  workerDone = worker.run();
  app = createWebhookServer({ client: env.client, config: { auth: { gbg: { basic: BASIC } }, taskQueue: TASK_QUEUE } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await workerDone?.catch(() => {});
  await env?.teardown();
});

async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

const cli = (...args: string[]) => runCliCaptured(env.client, [...args, '--task-queue', TASK_QUEUE]);

describe('client library', () => {
  it('a 2,000-character id, an empty or spaced id, a zero interval: typed error naming the field, nothing started', async () => {
    const cases: [Parameters<typeof startJourneyAwait>[1], string][] = [
      [{ provider: 'gbg-go-v2', journeyId: 'x'.repeat(2_000) }, 'journeyId'],
      [{ provider: 'gbg-go-v2', journeyId: '' }, 'journeyId'],
      [{ provider: 'gbg-go-v2', journeyId: 'spaced journey id 42' }, 'journeyId'],
      [
        { provider: 'idnow', journeyId: `zero-${randomUUID()}`, polling: { baseIntervalMs: 0 } },
        'polling.baseIntervalMs',
      ],
      [{ provider: 'idnow', journeyId: `past-${randomUUID()}`, deadline: '2000-01-01T00:00:00Z' }, 'deadline'],
    ];
    for (const [input, field] of cases) {
      const error = await startJourneyAwait(env.client, input, { taskQueue: TASK_QUEUE }).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(InvalidJourneyInputError);
      expect((error as InvalidJourneyInputError).field).toBe(field);
      if (input.journeyId.length <= 64)
        expect(await workflowExists(env.client, journeyWorkflowId(input.provider, input.journeyId))).toBe(false);
    }
  });
});

describe('CLI', () => {
  it('--interval 0, --interval 100000h, --deadline 0, --max-errors 0 and bad ids exit 2 naming the option; nothing starts', async () => {
    const journeyId = `cli-input-${randomUUID()}`;
    const cases: [string[], RegExp][] = [
      [['--interval', '0'], /--interval: must be a whole number from 1000 to 3600000/],
      [['--interval', '100000h'], /--interval:/],
      [['--error-backoff', '11m'], /--error-backoff:/],
      [['--max-errors', '0'], /--max-errors:/],
      [['--deadline', '0'], /--deadline: must be an ISO 8601 timestamp with an offset/],
      [['--deadline', '2000-01-01T00:00:00Z'], /--deadline: must be in the future/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli('start', 'gbg-go-v2', journeyId, ...flags);
      expect(r.code, flags.join(' ')).toBe(EXIT.USAGE);
      expect(r.err).toMatch(message);
    }
    for (const id of ['x'.repeat(2_000), 'short', 'has:colon-1234567890']) {
      const r = await cli('start', 'gbg-go-v2', id);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.err).toMatch(/<journeyId>: must be|<journeyId>: may contain/);
      expect(r.err).not.toContain(id);
    }
    expect(await workflowExists(env.client, journeyWorkflowId('gbg-go-v2', journeyId))).toBe(false);
  });
});

describe('webhook receiver', () => {
  it('uses the same journey id rule: ids the client rejects get 400, valid ones are recorded', async () => {
    const send = async (journeyId: string) => {
      const res = await request(`${base}/webhooks/gbg-go-v2/${encodeURIComponent(journeyId)}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`,
        },
        body: '{"status":"InProgress"}',
      });
      return { status: res.statusCode, body: await res.body.text() };
    };
    for (const id of ['short', 'has.dot-1234567890', 'has:colon-1234567890', 'a'.repeat(65)]) {
      const r = await send(id);
      expect(r.status, id).toBe(400);
      expect(JSON.parse(r.body).error).toBe('invalid_journey_id');
    }
    expect((await send(`hook-${randomUUID()}`)).status).toBe(200);
  });
});

describe('workflow started by another tool', () => {
  const bypass = (input: Record<string, unknown>) =>
    env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: `raw-${randomUUID()}`,
      args: [input],
    });

  it('fails at once with InvalidJourneyInput naming the field; never fetches', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...journeyInput(), polling: { baseIntervalMs: 0 } }, 'polling.baseIntervalMs'],
      [{ ...journeyInput(), polling: { baseIntervalMs: '10' } }, 'polling.baseIntervalMs'],
      [{ ...journeyInput(), polling: { errorBackoffMs: -1_000 } }, 'polling.errorBackoffMs'],
      [{ ...journeyInput(), polling: { maxConsecutiveErrors: 0 } }, 'polling.maxConsecutiveErrors'],
      [{ ...journeyInput(), journeyId: '' }, 'journeyId'],
      [{ ...journeyInput(), deadline: '0' }, 'deadline'],
    ];
    const runIds: string[] = [];
    for (const [input, field] of cases) {
      const handle = await bypass(input);
      runIds.push(handle.firstExecutionRunId);
      const error = await handle.result().catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(INVALID_JOURNEY_INPUT);
      expect(cause.message).toContain(field);
      if (field === 'polling.baseIntervalMs') maybeSaveHistory('i-invalid-input-rejected', await handle.fetchHistory());
    }
    expect(fetches.filter((f) => runIds.includes(f.runId))).toEqual([]);
  });
});
