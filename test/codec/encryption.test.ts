/**
 * PII stays out of Temporal's history: with the codec on, the raw history of a completed journey (read without
 * the codec) holds none of the subject's data, while the codec-aware client gets the full JourneyState back.
 * Real workflow, real fetchState, real HTTP to the simulator, on the time-skipping server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, createProviderAgent } from '../../src/activities';
import { WorkflowFailedError } from '@temporalio/client';
import type { CodecKey } from '../../src/codec/encryption-codec';
import { codecDataConverter, FAILURE_CONVERTER_PATH } from '../../src/codec/keys';
import { journeyStateSchema, type JourneyState } from '../../src/contract/journey-state';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { journeyStartOptions } from '../../src/client';
import type { awaitJourneyCompletion } from '../../src/workflows';
import { createJourneyTestEnv, workflowsPath } from '../helpers/workflow-env';
import { cachedWorkflowBundle } from '../helpers/workflow-bundle-cache';
import { createJourneyWorker } from '../helpers/journey-worker';

/** What the simulator's completed GBG v2 journey and IDnow data blocks say about the person. */
const SUBJECT_PII = ['John', '1982-09-27', 'New Orleans', 'Erika', 'Mustermann', '1964-08-12'];

const keyA: CodecKey = { id: 'key-a', key: randomBytes(32) };
const keyB: CodecKey = { id: 'key-b', key: randomBytes(32) };
/** The product's data converter (codec plus encoded failure attributes). */
const converter = (...keys: CodecKey[]): DataConverter => codecDataConverter(keys.length ? keys : undefined);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sim: Simulator;
const agent = createProviderAgent();

beforeAll(async () => {
  // As the product's worker bundles it: with the failure converter that encodes messages and stack traces.
  [env, bundle, sim] = await Promise.all([
    createJourneyTestEnv(),
    cachedWorkflowBundle({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH }),
    startSimulator(),
  ]);
});
afterAll(async () => {
  await env?.teardown();
  await sim?.close();
  await agent.close();
});

/** Runs a journey that completes on the 2nd poll, with worker and client both using `dataConverter`. */
async function completeJourney(
  provider: JourneyProvider,
  dataConverter: DataConverter,
  journeyId = `sim-complete-after-2-${randomUUID()}`,
) {
  const taskQueue = `enc-${randomUUID()}`;
  const activities = createActivities({
    config: sim.providerConfig({ idnow: { fetchDataBlocks: true } }),
    dispatcher: agent,
  });
  const worker = await createJourneyWorker(env, { bundle, taskQueue, activities, dataConverter });
  const client = new Client({ connection: env.connection, dataConverter });
  // A custom Client does not unlock time skipping, so a short real-time interval keeps this quick.
  const input = { provider, journeyId, polling: { baseIntervalMs: 1_000 } };
  const handle = await client.workflow.start<typeof awaitJourneyCompletion>(
    'awaitJourneyCompletion',
    journeyStartOptions(input, taskQueue),
  );
  const result = await worker.runUntil(handle.result().catch((err: unknown) => err as WorkflowFailedError));
  return { handle, result, workflowId: handle.workflowId };
}

/** The history as Temporal stores it: protobuf bytes, payloads as the worker wrote them (no codec). */
async function rawHistory(workflowId: string): Promise<string> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
}

const leaked = (raw: string) => SUBJECT_PII.filter((pii) => raw.includes(pii));

describe('payload encryption end to end', () => {
  it('without a codec the subject is in plain sight in history (the check below can fail)', async () => {
    const { workflowId, result } = await completeJourney('gbg-go-v2', converter());
    expect((result as JourneyState).subject?.firstName).toBe('John');
    expect(leaked(await rawHistory(workflowId))).toEqual(expect.arrayContaining(['John', '1982-09-27']));
  });

  for (const provider of ['gbg-go-v2', 'idnow'] as const) {
    it(`${provider}: the raw history holds no subject data; the decoded result is the full JourneyState`, async () => {
      const { workflowId, result } = await completeJourney(provider, converter(keyA));
      expect(journeyStateSchema.parse(result)).toEqual(result);
      expect(result).toMatchObject({ provider, status: 'completed', terminal: true, source: 'poll' });
      expect((result as JourneyState).subject?.firstName).toBe(provider === 'idnow' ? 'Erika' : 'John');
      const raw = await rawHistory(workflowId);
      expect(leaked(raw)).toEqual([]);
      expect(raw).toContain('binary/encrypted');
    });
  }

  it('a history written with key A still decodes after rotating to key B; without A it names the missing key', async () => {
    const { workflowId, result } = await completeJourney('gbg-go-v2', converter(keyA));
    const rotated = new Client({ connection: env.connection, dataConverter: converter(keyB, keyA) });
    expect(await rotated.workflow.getHandle(workflowId).result()).toEqual(result);

    const withoutA = new Client({ connection: env.connection, dataConverter: converter(keyB) });
    await expect(withoutA.workflow.getHandle(workflowId).result()).rejects.toThrow(/'key-a'/);
  });

  it('failure messages and stack traces are encrypted too; the codec-aware client reads them', async () => {
    // The simulator answers 400 with an error body: the workflow fails quoting the provider's text.
    const plain = await completeJourney('gbg-go-v2', converter(), `sim-http-400-${randomUUID()}`);
    expect(await rawHistory(plain.workflowId)).toContain('rejected journey');

    const { workflowId, result } = await completeJourney('gbg-go-v2', converter(keyA), `sim-http-400-${randomUUID()}`);
    expect(result).toBeInstanceOf(WorkflowFailedError);
    const raw = await rawHistory(workflowId);
    expect(raw).not.toContain('rejected journey');
    expect(raw).not.toContain('at awaitJourneyCompletion');
    expect(raw).toContain('Encoded failure');
    const decoded = await new Client({ connection: env.connection, dataConverter: converter(keyA) }).workflow
      .getHandle(workflowId)
      .result()
      .catch((e: WorkflowFailedError) => e);
    expect((decoded as WorkflowFailedError).cause?.message).toContain('rejected journey');
  });

  it('an encrypted history replays with the codec', async () => {
    const { workflowId } = await completeJourney('idnow', converter(keyA));
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: converter(keyA) }, history, workflowId),
    ).resolves.toBeUndefined();
  });
});
