/**
 * The service's own tests: its workflow against scripted journeys on Temporal's time-skipping server, using
 * nothing but the public `journey-await/testing` entry. Each journey is scripted in the simulator's language;
 * both kinds of fetchState (the real activity against the simulator, and the in-process scripted one) run.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJourneyTestEnvironment,
  type JourneyProvider,
  type JourneyState,
  type JourneyTestEnvironment,
} from 'journey-await/testing';
import type { OnboardingInput, OnboardingResult, onboardCustomer } from './workflows';

describe.each(['simulator', 'scripted'] as const)('onboarding with fetchState %s', (fetchState) => {
  let journeys: JourneyTestEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    journeys = await createJourneyTestEnvironment({ fetchState });
    // The service's own worker, next to journey-await's, on the same time-skipping server.
    worker = await Worker.create({
      connection: journeys.nativeConnection,
      taskQueue: 'onboarding',
      workflowsPath: path.join(__dirname, 'workflows.ts'),
      // Only because this repository's own journey-await is not built: its sources stand in for the package's lib/.
      bundlerOptions: {
        webpackConfigHook: (config) => ({
          ...config,
          resolve: { ...config.resolve, conditionNames: ['journey-await:source', '...'] },
        }),
      },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await journeys?.teardown();
  });

  function start(input: Omit<OnboardingInput, 'customerId'>) {
    return journeys.client.workflow.start<typeof onboardCustomer>('onboardCustomer', {
      taskQueue: 'onboarding',
      workflowId: `onboarding-${randomUUID()}`,
      args: [{ customerId: 'c-42', ...input }],
    });
  }

  /** How long the service workflow ran on Temporal's clock (start to close, as the server recorded them). */
  async function simulatedMs(handle: Awaited<ReturnType<typeof start>>): Promise<number> {
    const { startTime, closeTime } = await handle.describe();
    return closeTime!.getTime() - startTime.getTime();
  }

  /** Runs the service workflow to its result; returns it with the simulated time it took. */
  async function onboard(
    input: Omit<OnboardingInput, 'customerId'>,
  ): Promise<OnboardingResult & { simulatedMs: number }> {
    const handle = await start(input);
    const result = await handle.result();
    return { ...result, simulatedMs: await simulatedMs(handle) };
  }

  it('approves a journey accepted after three in-progress polls, 30 simulated seconds in', async () => {
    const journeyId = `j-${randomUUID()}`;
    journeys.scriptJourney('gbg-go-v2', journeyId, ['in_progress x3', 'completed']);
    const result = await onboard({ provider: 'gbg-go-v2', journeyId });
    expect(result).toMatchObject({ decision: 'approved', reason: 'verified by gbg-go-v2' });
    expect(journeys.journey('gbg-go-v2', journeyId)?.fetches).toBe(4);
    expect(result.simulatedMs).toBeGreaterThanOrEqual(30_000);
  });

  it('declines a journey the provider rejected', async () => {
    const journeyId = `j-${randomUUID()}`;
    journeys.scriptJourney('idnow', journeyId, ['in_progress', '503', 'completed outcome=rejected']);
    const result = await onboard({ provider: 'idnow', journeyId });
    expect(result).toMatchObject({ decision: 'declined' });
  });

  it('times out when the customer never finishes before the deadline', async () => {
    const journeyId = `j-${randomUUID()}`;
    journeys.scriptJourney('idnow', journeyId, ['in_progress']);
    const result = await onboard({ provider: 'idnow', journeyId, maxWaitMs: 5 * 60_000 });
    expect(result).toMatchObject({ decision: 'timed-out', reason: 'no result within 5 minutes' });
    expect(result.simulatedMs).toBeGreaterThanOrEqual(5 * 60_000);
    // A poll every 10 s until the deadline: 0, 10, …, 290 s.
    expect(journeys.journey('idnow', journeyId)?.fetches).toBe(30);
  });

  it('wakes at once on the provider webhook instead of waiting for the next poll', async () => {
    const provider: JourneyProvider = 'idnow';
    const journeyId = `j-${randomUUID()}`;
    // Polls at 0, 10, 20, 30, 40 s see it in progress; the fetch the webhook triggers sees it completed.
    journeys.scriptJourney(provider, journeyId, ['in_progress x5', 'completed']);
    const handle = await start({ provider, journeyId });
    await journeys.sleep('45s');
    const delivery = await journeys.sendWebhook(provider, journeyId, { status: 'SUCCESS' });
    expect(delivery).toMatchObject({ httpStatus: 200, body: { ok: true, outcome: 'signalled' } });
    const result = await handle.result();
    expect(result.decision).toBe('approved');
    expect(journeys.journey(provider, journeyId)?.fetches).toBe(6);
    // Completed by the webhook's fetch at 45 s, before the 50 s poll.
    expect(await simulatedMs(handle)).toBeLessThan(50_000);
  });

  it('cannot run the journey as a child once its webhook has started it (a child cannot join a running workflow)', async () => {
    const journeyId = `j-${randomUUID()}`;
    journeys.scriptJourney('idnow', journeyId, ['in_progress']);
    const delivery = await journeys.sendWebhook('idnow', journeyId);
    expect(delivery).toMatchObject({ httpStatus: 200, body: { outcome: 'signalled' } });
    const result = await onboard({ provider: 'idnow', journeyId });
    expect(result).toMatchObject({ decision: 'manual-review', reason: /webhook arrived first/ });
    // Let the journey end rather than terminate it: a terminate while its fetch is in flight can stall the
    // time-skipping server's clock for the tests after this one.
    journeys.scriptJourney('idnow', journeyId, ['completed']);
    await journeys.sendWebhook('idnow', journeyId);
    const journey = await journeys.client.workflow
      .getHandle<() => Promise<JourneyState>>(`journey:idnow:${journeyId}`)
      .result();
    expect(journey.status).toBe('completed');
  });

  it('refuses a webhook with wrong credentials (the receiver authenticates first)', async () => {
    const delivery = await journeys.sendWebhook('idnow', `j-${randomUUID()}`, { credentials: 'wrong' });
    expect(delivery.httpStatus).toBe(401);
  });

  it('sends the case to manual review when the provider fails 30 times in a row (41 simulated minutes)', async () => {
    const journeyId = `j-${randomUUID()}`;
    journeys.scriptJourney('gbg-go-v2', journeyId, ['503']);
    const wallStart = performance.now();
    const result = await onboard({ provider: 'gbg-go-v2', journeyId, maxWaitMs: 2 * 60 * 60_000 });
    const wallMs = performance.now() - wallStart;
    expect(result).toMatchObject({ decision: 'manual-review', reason: 'the provider could not be reached' });
    expect(journeys.journey('gbg-go-v2', journeyId)?.fetches).toBe(30);
    // 29 waits of 10 s + k × 5 s: 2,465 s ≈ 41 minutes of Temporal's clock.
    expect(result.simulatedMs).toBeGreaterThanOrEqual(2_465_000);
    expect(result.simulatedMs).toBeLessThan(2_465_000 + 60_000);
    console.log(
      `[${fetchState}] 30 failed fetches: ${(result.simulatedMs / 60_000).toFixed(1)} simulated minutes in ${(wallMs / 1000).toFixed(2)} s`,
    );
  });
});
