/**
 * Committed histories of real runs (test/histories/*.json, saved with historyToJSON) must replay against the
 * current workflow code: a change to the command sequence fails here instead of in production.
 * `SAVE_HISTORIES=1 npx vitest run test/workflows/workflow*.test.ts test/workflows/slowdown.workflow.test.ts
 * test/contract/journey-input.entries.test.ts test/worker/worker.cancel-crash.test.ts` writes today's
 * (`<HISTORY_SHAPE>-…`); older ones stay until their patch is removed (docs/design.md "Versioning").
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, expect, it } from 'vitest';
import { codecDataConverter } from '../../src/codec/keys';
import { definedPatches, PATCHES } from '../../src/workflows/versions';
import { installTestRuntime } from '../helpers/temporal-env';
import { bundleJourneyWorkflows, EventType, HISTORY_SHAPE, historiesDir } from '../helpers/workflow-env';

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  installTestRuntime();
  bundle = await bundleJourneyWorkflows();
});

const files = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

const historyOf = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')));

/** The ids of the patch markers a history recorded. */
function patchMarkers(file: string): string[] {
  return (historyOf(file).events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
}

it("has today's histories of every outcome, webhooks and continue-as-new", () => {
  const mine = files.filter((f) => f.startsWith(`${HISTORY_SHAPE}-`)).map((f) => f.slice(HISTORY_SHAPE.length + 1));
  // a: completed by polling, b: failed fetches then completed, d: webhooks, f: expired, g: continue-as-new,
  // i: invalid input and rejected by the provider, j: gave up and cancelled, k: cancelled during a fetch,
  // m: the opt-in slowdown (slow waits, a webhook back to base).
  for (const scenario of ['a-', 'b-', 'd-', 'f-', 'g-', 'i-', 'j-', 'k-', 'm-'])
    expect(
      mine.some((f) => f.startsWith(scenario)),
      scenario,
    ).toBe(true);
  expect(mine.filter((f) => f.startsWith('g-continue-as-new-')).length).toBeGreaterThanOrEqual(4);
  expect(mine.filter((f) => f.startsWith('g-webhook-flood-')).length).toBeGreaterThanOrEqual(2);
});

it('fetches through local-activity markers, and records only patches of the registry', () => {
  const known = new Set(definedPatches().map((p) => p.id));
  for (const file of files) {
    const events = historyOf(file).events ?? [];
    expect(
      events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      file,
    ).toHaveLength(0);
    for (const id of patchMarkers(file)) expect(known.has(id), `${file}: ${id}`).toBe(true);
  }
  const fetches = (file: string) =>
    (historyOf(file).events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  expect(fetches(`${HISTORY_SHAPE}-a-completes-on-4th-poll.json`)).toHaveLength(4);
});

it("replays both sides of the stale marker's patch: baseline histories with failed fetches, and today's", () => {
  const { id } = PATCHES.staleMarker;
  for (const scenario of ['b-errors-then-completes', 'j-operator-state-gave-up']) {
    expect(patchMarkers(`2026-12-07-${scenario}.json`), scenario).not.toContain(id);
    expect(patchMarkers(`${HISTORY_SHAPE}-${scenario}.json`), scenario).toEqual([id]);
  }
  expect(patchMarkers(`${HISTORY_SHAPE}-a-completes-on-4th-poll.json`)).toEqual([]);
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
