/**
 * The client library and the `journey-await` CLI against the dev server, a worker running the real workflow,
 * and the provider simulator: start → status → result --wait per provider, with the documented exit codes.
 */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli';
import {
  getJourneyStatus,
  listJourneys,
  startJourneyAwait,
  signalJourneyWebhook,
  awaitJourneyResult,
  JourneyNotFoundError,
  JourneyWorkflowFailedError,
} from '../../src/client';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { eventually } from '../helpers/eventually';
import { useLocalJourneyStack } from '../helpers/local-stack';
import { runCliCaptured } from '../helpers/run-cli';

const root = path.resolve(__dirname, '..', '..');
const TASK_QUEUE = `cli-${randomUUID().slice(0, 8)}`;
const stack = useLocalJourneyStack(TASK_QUEUE);

const cli = (...args: string[]) =>
  runCliCaptured(stack.env.client, [...args, '--task-queue', TASK_QUEUE], { progressIntervalMs: 200 });

describe('CLI: start → status → result --wait', () => {
  for (const provider of ['gbg-go-v2', 'gbg-go-v1', 'idnow'] as JourneyProvider[]) {
    it(`${provider}: a journey that completes after a few polls (exit 0)`, async () => {
      const journeyId = `cli-${randomUUID()}`;
      stack.sim.script(provider, journeyId, ['in_progress x3', 'completed']);
      const started = await cli('start', provider, journeyId, '--interval', '1s');
      expect(started.code, started.err).toBe(EXIT.DONE);
      expect(started.out).toContain(`started journey:${provider}:${journeyId}`);

      const again = await cli('start', provider, journeyId, '--json');
      expect(again.code).toBe(EXIT.DONE);
      expect(JSON.parse(again.out)).toMatchObject({
        workflowId: `journey:${provider}:${journeyId}`,
        alreadyFinished: false,
      });

      const status = await cli('status', `journey:${provider}:${journeyId}`);
      expect(status.code, status.err).toBe(EXIT.DONE);
      expect(status.out).toMatch(/execution:\s+RUNNING/);

      const result = await cli('result', provider, journeyId, '--wait');
      expect(result.code, result.err).toBe(EXIT.DONE);
      expect(result.out).toMatch(/status:\s+completed \(final\)/);
      expect(result.err).toMatch(/… in_progress · poll #\d+ · errors 0\/30 · next poll (in \d+s|due now)/);

      const json = await cli('result', provider, journeyId, '--json');
      expect(json.code).toBe(EXIT.DONE);
      expect(JSON.parse(json.out)).toMatchObject({ provider, journeyId, status: 'completed', terminal: true });
    });
  }

  it('a failed journey exits 1; an aborted IDnow session exits 1', async () => {
    const failed = `sim-fail-after-0-${randomUUID()}`;
    const aborted = `sim-abort-after-0-${randomUUID()}`;
    expect((await cli('start', 'gbg-go-v2', failed)).code).toBe(EXIT.DONE);
    expect((await cli('start', 'idnow', aborted)).code).toBe(EXIT.DONE);
    const r1 = await cli('result', 'gbg-go-v2', failed, '--wait');
    expect(r1.code, r1.out + r1.err).toBe(EXIT.JOURNEY_FAILED);
    expect(r1.out).toMatch(/status:\s+failed/);
    expect((await cli('result', 'idnow', aborted, '--wait')).code).toBe(EXIT.JOURNEY_FAILED);
  });

  it('a workflow failure (the provider rejects the request, 400) exits 1 with the failure type', async () => {
    const journeyId = `sim-http-400-${randomUUID()}`;
    expect((await cli('start', 'gbg-go-v2', journeyId)).code).toBe(EXIT.DONE);
    const r = await cli('result', 'gbg-go-v2', journeyId, '--wait', '--json');
    expect(r.code).toBe(EXIT.JOURNEY_FAILED);
    expect(JSON.parse(r.out).error).toMatchObject({ kind: 'journey_failed' });
  });

  it('not found exits 3; still running without --wait exits 4; usage errors exit 2', async () => {
    expect((await cli('status', 'idnow', `nope-${randomUUID()}`)).code).toBe(EXIT.NOT_FOUND);
    expect((await cli('result', 'idnow', `nope-${randomUUID()}`, '--wait')).code).toBe(EXIT.NOT_FOUND);
    const running = `cli-running-${randomUUID()}`;
    stack.sim.script('idnow', running, ['in_progress']);
    expect((await cli('start', 'idnow', running)).code).toBe(EXIT.DONE);
    const r = await cli('result', 'idnow', running);
    expect(r.code).toBe(EXIT.STILL_RUNNING);
    expect((await cli('result', 'idnow', running, '--wait', '--timeout', '500ms')).code).toBe(EXIT.STILL_RUNNING);
    expect((await cli('start', 'onfido', 'x-123')).code).toBe(EXIT.USAGE);
    expect((await cli('start', 'idnow')).code).toBe(EXIT.USAGE);
    expect((await cli('frobnicate')).code).toBe(EXIT.USAGE);
    expect((await cli('start', 'idnow', 'abc', '--interval', 'soon')).code).toBe(EXIT.USAGE);
    expect((await cli('list', '--status', 'weird')).code).toBe(EXIT.USAGE);
    expect((await cli('status', 'idnow', 'abc', '--bogus')).code).toBe(EXIT.USAGE);
    await stack.env.client.workflow.getHandle(`journey:idnow:${running}`).terminate('test done');
  });

  it('signal wakes a journey; list filters by provider and status', async () => {
    const journeyId = `cli-signal-${randomUUID()}`;
    stack.sim.script('gbg-go-v1', journeyId, ['in_progress', 'completed']);
    expect((await cli('start', 'gbg-go-v1', journeyId, '--interval', '60s')).code).toBe(EXIT.DONE);
    await eventually(() => ((stack.sim.journey('gbg-go-v1', journeyId)?.fetches ?? 0) >= 1 ? true : undefined));
    const s = await cli('signal', 'gbg-go-v1', journeyId, '--event-id', 'op-1');
    expect(s.code).toBe(EXIT.DONE);
    expect((await cli('result', 'gbg-go-v1', journeyId, '--wait', '--timeout', '10s')).code).toBe(EXIT.DONE);
    const after = await cli('signal', 'gbg-go-v1', journeyId, '--json');
    expect(JSON.parse(after.out)).toEqual({ outcome: 'already-finished' });
    const listed = await eventually(async () => {
      const l = await cli('list', '--provider', 'gbg-go-v1', '--status', 'completed', '--json');
      const rows = JSON.parse(l.out) as { workflowId: string }[];
      return rows.some((r) => r.workflowId === `journey:gbg-go-v1:${journeyId}`) ? rows : undefined;
    });
    expect(listed).toBeDefined();
    expect(listed!.every((r) => r.workflowId.startsWith('journey:gbg-go-v1:'))).toBe(true);
  });
});

describe('client library', () => {
  it('a long wait with progress keeps no listener per query (no MaxListenersExceededWarning)', async () => {
    const ref = { provider: 'idnow', journeyId: `lib-long-${randomUUID()}` } as const;
    stack.sim.script('idnow', ref.journeyId, ['in_progress x3', 'completed']);
    await startJourneyAwait(
      stack.env.client,
      { ...ref, polling: { baseIntervalMs: 1_000 } },
      { taskQueue: TASK_QUEUE },
    );
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      // About 3 s of progress queries, one every 100 ms: far more than the ten listeners Node warns at.
      const state = await awaitJourneyResult(stack.env.client, ref, { progressIntervalMs: 100, onProgress: () => {} });
      expect(state.status).toBe('completed');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('startJourneyAwait is idempotent and never restarts a finished journey; typed errors', async () => {
    const journeyId = `lib-${randomUUID()}`;
    stack.sim.script('idnow', journeyId, ['completed']);
    const first = await startJourneyAwait(
      stack.env.client,
      { provider: 'idnow', journeyId },
      { taskQueue: TASK_QUEUE },
    );
    const progress: unknown[] = [];
    const state = await awaitJourneyResult(
      stack.env.client,
      { provider: 'idnow', journeyId },
      { onProgress: (p) => progress.push(p), progressIntervalMs: 100 },
    );
    expect(state.status).toBe('completed');
    const again = await startJourneyAwait(
      stack.env.client,
      { provider: 'idnow', journeyId },
      { taskQueue: TASK_QUEUE },
    );
    expect(again).toEqual({ workflowId: first.workflowId, runId: first.runId, alreadyFinished: true });
    expect(
      await signalJourneyWebhook(
        stack.env.client,
        { provider: 'idnow', journeyId },
        { eventId: 'late' },
        { taskQueue: TASK_QUEUE },
      ),
    ).toBe('already-finished');
    const report = await getJourneyStatus(stack.env.client, { provider: 'idnow', journeyId });
    expect(report).toMatchObject({ executionStatus: 'COMPLETED', result: { status: 'completed' } });
    await expect(
      getJourneyStatus(stack.env.client, { provider: 'idnow', journeyId: `missing-${randomUUID()}` }),
    ).rejects.toBeInstanceOf(JourneyNotFoundError);

    const rejected = `sim-http-400-${randomUUID()}`;
    await startJourneyAwait(
      stack.env.client,
      { provider: 'gbg-go-v1', journeyId: rejected },
      { taskQueue: TASK_QUEUE },
    );
    const err = await awaitJourneyResult(stack.env.client, { provider: 'gbg-go-v1', journeyId: rejected }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JourneyWorkflowFailedError);
    const rows = await listJourneys(stack.env.client, { provider: 'idnow', limit: 5 });
    expect(rows.length).toBeLessThanOrEqual(5);
  });
});

describe('CLI process', () => {
  it('npm run client -- --help exits 0; a usage error exits 2; Temporal unreachable exits 5', async () => {
    const run = (args: string[], extraEnv: Record<string, string> = {}) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...extraEnv },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    const [help, usage, down] = await Promise.all([
      run(['--help']),
      run(['start', 'nope', 'x']),
      run(['status', 'idnow', '0197c55f-5af6-7e3d-af9b-f2359b134be8'], {
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_CONNECT_TIMEOUT_MS: '500ms', // short: the exit code, not the operator's 5 s wait, is tested
      }),
    ]);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: journey-await');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('unknown provider');
    expect(down.code, down.err).toBe(5);
    expect(down.err).toContain('Temporal is unreachable');
  });
});
