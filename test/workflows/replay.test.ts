/**
 * Committed histories of real runs (test/histories/*.json, saved with historyToJSON) must replay against the
 * current workflow code: a change to the command sequence fails here instead of in production.
 * Each workflow shape keeps its own files (`v0.1-…`: fetchState as an activity; `v0.2-…`: as a local activity
 * behind a patch). `SAVE_HISTORIES=1 npx vitest run test/workflow.test.ts test/workflow-continue-as-new.test.ts`
 * writes the current shape's; older shapes stay until their patch is deprecated.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, expect, it } from 'vitest';
import { codecDataConverter } from '../../src/codec/keys';
import { LOCAL_FETCH_PATCH } from '../../src/workflows/fetch';
import { installTestRuntime } from '../helpers/temporal-env';
import { bundleJourneyWorkflows, EventType, historiesDir } from '../helpers/workflow-env';

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  installTestRuntime();
  bundle = await bundleJourneyWorkflows();
});

const files = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

const historyOf = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')));

it.each(['v0.1', 'v0.2'])('has %s histories of the polling, error, webhook and continue-as-new scenarios', (shape) => {
  const mine = files.filter((f) => f.startsWith(`${shape}-`));
  for (const scenario of ['a-', 'b-', 'd-', 'g-'])
    expect(mine.some((f) => f.startsWith(`${shape}-${scenario}`))).toBe(true);
  expect(mine.filter((f) => f.startsWith(`${shape}-g-`)).length).toBeGreaterThanOrEqual(4);
});

it('v0.1 histories fetch through activity tasks, v0.2 ones through local-activity markers behind the patch', () => {
  for (const file of files.filter((f) => /^v0\.[12]-/.test(f))) {
    const events = historyOf(file).events ?? [];
    const count = (type: number) => events.filter((e) => e.eventType === type).length;
    const patchMarkers = events.filter((e) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return data && (JSON.parse(Buffer.from(data).toString()) as { id?: string }).id === LOCAL_FETCH_PATCH;
    });
    const local = file.startsWith('v0.2-');
    expect(count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) > 0, file).toBe(!local);
    expect(count(EventType.EVENT_TYPE_MARKER_RECORDED) > 0, file).toBe(local);
    expect(patchMarkers.length, file).toBe(local ? 1 : 0);
  }
});

it('replays every committed history without a determinism error', async () => {
  const histories = files.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: historyOf(file),
  }));
  const outcomes: { workflowId: string; error?: string }[] = [];
  // With the payload codec configured, as the worker runs: plain (older) payloads pass through it unchanged.
  const dataConverter = codecDataConverter([{ id: 'replay', key: randomBytes(32) }]);
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter }, histories)) {
    outcomes.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
  }
  expect(outcomes).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
});
