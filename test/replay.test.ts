/**
 * Committed histories of real runs (test/histories/*.json, saved with historyToJSON) must replay against the
 * current workflow code: a change to the command sequence fails here instead of in production.
 * Refresh them with `SAVE_HISTORIES=1 npx vitest run test/workflow.test.ts test/workflow-continue-as-new.test.ts`
 * only when a change is versioned with patched() or deliberately breaks old runs.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, expect, it } from 'vitest';
import { EncryptionCodec } from '../src/codec/encryption-codec';
import { installTestRuntime } from './helpers/temporal-env';
import { bundleJourneyWorkflows, historiesDir } from './helpers/workflow-env';

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  installTestRuntime();
  bundle = await bundleJourneyWorkflows();
});

const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json')).sort();

it('has the histories of the polling, error, webhook and continue-as-new scenarios', () => {
  for (const prefix of ['a-', 'b-', 'd-', 'g-']) expect(files.some((f) => f.startsWith(prefix))).toBe(true);
  expect(files.filter((f) => f.startsWith('g-')).length).toBeGreaterThanOrEqual(4);
});

it('replays every committed history without a determinism error', async () => {
  const histories = files.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: historyFromJSON(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'))),
  }));
  const outcomes: { workflowId: string; error?: string }[] = [];
  // With the payload codec configured, as the worker runs: plain (older) payloads pass through it unchanged.
  const dataConverter = { payloadCodecs: [new EncryptionCodec([{ id: 'replay', key: randomBytes(32) }])] };
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter }, histories)) {
    outcomes.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
  }
  expect(outcomes).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
});
