/**
 * Decisions as the providers' own clients reach them, and nothing lost to optional data: GBG's top-level `result`,
 * `steps` and `journey`, decisions while in progress, completion from step end times, step names and error codes,
 * v1 `Error`; IDnow data blocks in every documented shape (no `datablockId`, `basicIdentity`).
 */
import { describe, expect, it } from 'vitest';
import { progressLine, stateLines } from '../../src/cli/format';
import { journeyStateSchema } from '../../src/contract/journey-state';
import { normaliseGbgV1, normaliseGbgV2, normaliseIdnowDataBlocks } from '../../src/providers';

const observedAt = '2026-03-17T00:00:00.000Z';
const ctx = { journeyId: 'Pq_hhIX6-sHUy9FLSDzPLu', observedAt };

/** A body as GBG's sample backend sees it on a live run: top-level result/steps/journey, no journey.endedAt. */
function liveBody(status: string, classification: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    instanceId: ctx.journeyId,
    status,
    journey: { id: 'def-1', name: 'Onboarding', version: '7', startedAt: '2026-03-16T23:56:04.097Z' },
    steps: [
      {
        nodeId: 'n-doc',
        name: 'Document Classification',
        result: { status: 'complete', outcome: 'Document Classified' },
        process: {
          step: {
            startedAt: '2026-03-16T23:56:10.000Z',
            endedAt: '2026-03-16T23:56:30.000Z',
            durationMilliSec: 20_000,
          },
        },
      },
      {
        nodeId: 'n-addr',
        name: 'Address Verification',
        result: {
          status: 'error',
          error: {
            errors: [
              {
                error: 'MODULE_EXECUTION_FAILED',
                code: '5001',
                problem: 'John Doe at 1 Main St not found',
                action: 'Retry',
              },
            ],
            correlationId: 'c-1',
          },
        },
        process: { step: { endedAt: '2026-03-16T23:57:01.500Z' } },
      },
      { nodeId: 'n-decision', ...(classification ? { outcomeClassification: classification } : {}) },
    ],
    result: {
      status: status === 'InProgress' ? 'pending' : 'completed',
      outcome: 'Decision',
      ...(classification ? { outcomeClassification: classification } : {}),
    },
    context: { process: { steps: [] }, subject: {}, result: { status: 'pending' } },
    ...extra,
  };
}

describe('GBG GO v2: the decision GBG’s own client reaches', () => {
  it.each([
    ['positive', 'accepted'],
    ['negative', 'rejected'],
    ['refer', 'undecided'],
    [undefined, 'undecided'],
  ] as const)('Completed with result.outcomeClassification %s → %s', (classification, decision) => {
    const state = normaliseGbgV2(liveBody('Completed', classification), ctx);
    expect(state).toMatchObject({ status: 'completed', terminal: true, decision });
    expect(journeyStateSchema.parse(state)).toStrictEqual(state);
  });

  it('reads top-level steps and journey first; completion falls back to the latest step end', () => {
    const state = normaliseGbgV2(liveBody('Completed', 'negative'), ctx);
    expect(state).toStrictEqual({
      provider: 'gbg-go-v2',
      journeyId: ctx.journeyId,
      status: 'completed',
      terminal: true,
      providerStatus: 'Completed',
      decision: 'rejected',
      outcome: 'Decision',
      journey: { name: 'Onboarding', definitionId: 'def-1', version: '7' },
      startedAt: '2026-03-16T23:56:04.097Z',
      completedAt: '2026-03-16T23:57:01.500Z',
      durationMs: 57_403,
      steps: [
        { id: 'n-doc', name: 'Document Classification', status: 'complete', outcome: 'Document Classified' },
        { id: 'n-addr', name: 'Address Verification', status: 'error', error: 'MODULE_EXECUTION_FAILED 5001' },
        { id: 'n-decision' },
      ],
      source: 'poll',
      observedAt,
    });
    // Step errors keep the provider's codes only: the free-text problem may echo personal data.
    expect(JSON.stringify(state)).not.toContain('John Doe');
  });

  it('a decision seen while InProgress is reported, and the journey is not terminal', () => {
    const state = normaliseGbgV2(liveBody('InProgress', 'negative'), ctx);
    expect(state).toMatchObject({ status: 'in_progress', terminal: false, decision: 'rejected' });
    // Completion time is only inferred from the steps once the journey is over.
    expect(state.completedAt).toBeUndefined();
  });

  it('falls back to the steps’ classifications, then to context.result', () => {
    const steps = (c: string[]) => ({
      status: 'Completed',
      context: { process: { steps: c.map((x, i) => ({ nodeId: `n${i}`, outcomeClassification: x })) } },
    });
    expect(normaliseGbgV2(steps(['positive', 'negative']), ctx).decision).toBe('rejected');
    expect(
      normaliseGbgV2({ ...steps(['positive']), result: { outcomeClassification: 'negative' } }, ctx).decision,
    ).toBe('rejected');
    expect(
      normaliseGbgV2(
        { status: 'Completed', context: { result: { status: 'completed', outcomeClassification: 'Positive' } } },
        ctx,
      ).decision,
    ).toBe('accepted');
    // context.result.status says the journey ran, not what it decided.
    expect(normaliseGbgV2({ status: 'Completed', context: { result: { status: 'completed' } } }, ctx).decision).toBe(
      'undecided',
    );
  });

  it('top-level steps win over context.process.steps only when non-empty; documented endedAt still wins', () => {
    const body = liveBody('Completed', 'positive', {
      steps: [],
      context: { process: { journey: { endedAt: '2026-03-16T23:58:00.000Z' }, steps: [{ nodeId: 'ctx-step' }] } },
    });
    const state = normaliseGbgV2(body, ctx);
    expect(state.steps).toEqual([{ id: 'ctx-step' }]);
    // The top-level journey (no endedAt) is read first; the steps carry no end time: no completion time.
    expect(state.completedAt).toBeUndefined();
    const documented = normaliseGbgV2(
      {
        status: 'Completed',
        context: {
          process: { journey: { startedAt: '2026-03-16T23:56:00.000Z', endedAt: '2026-03-16T23:58:00.000Z' } },
        },
      },
      ctx,
    );
    expect(documented).toMatchObject({ completedAt: '2026-03-16T23:58:00.000Z', durationMs: 120_000 });
  });

  it('Failed and Error without a classification are terminal failures with no decision', () => {
    for (const status of ['Failed', 'Error']) {
      expect(normaliseGbgV2({ status, result: { status: 'failed' } }, ctx)).toMatchObject({
        status: 'failed',
        terminal: true,
        decision: 'undecided',
      });
    }
  });
});

describe('GBG GO v1', () => {
  it('Error is a terminal failure, in any spelling', () => {
    for (const status of ['Error', 'ERROR']) {
      expect(
        normaliseGbgV1(
          { instanceId: 'x', status, metaData: { createdTime: '2024-02-15T22:16:33.213Z', completedTime: '' } },
          ctx,
        ),
      ).toMatchObject({
        status: 'failed',
        terminal: true,
        providerStatus: status,
        decision: 'undecided',
      });
    }
    expect(normaliseGbgV1({ instanceId: 'x', state: 'ERROR' }, ctx)).toMatchObject({
      status: 'failed',
      terminal: true,
    });
  });
});

describe('IDnow data blocks: every documented shape, basicIdentity', () => {
  const identity = { givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12' };
  const subject = { firstName: 'Erika', lastNames: ['Mustermann'], dateOfBirth: '1964-08-12' };

  it('shape A: basicIdentity content', () => {
    const out = normaliseIdnowDataBlocks({
      dataBlocks: [
        {
          datablockId: 'db1',
          type: 'documentVerification',
          createdBy: { stepId: 's1', clock: 1 },
          status: 'STORED',
          content: { firstName: 'E.', lastName: 'M.' },
        },
        {
          datablockId: 'db2',
          type: 'basicIdentity',
          createdBy: { stepId: 's2', clock: 2 },
          status: 'STORED',
          content: identity,
        },
      ],
    });
    // basicIdentity is the identity; the document block does not override it.
    expect(out).toStrictEqual({
      results: { documentVerification: { dataBlockId: 'db1' }, basicIdentity: { dataBlockId: 'db2' } },
      subject,
    });
  });

  it('shape B: flat basicIdentity with lastStep', () => {
    const out = normaliseIdnowDataBlocks({
      dataBlocks: [{ datablockId: 'db3', type: 'basicIdentity', lastStep: { stepId: 's3' }, ...identity }],
    });
    expect(out).toStrictEqual({ results: { basicIdentity: { dataBlockId: 'db3' } }, subject });
  });

  it('shape C: datablocks[] without datablockId, PascalCase type, createdByStep', () => {
    const out = normaliseIdnowDataBlocks({
      datablocks: [
        { type: 'BasicIdentity', createdByStep: 'step_1', ...identity },
        { type: 'PepAndSanctionsResults', createdByStep: 'step_2', hits: 0 },
      ],
    });
    expect(out).toStrictEqual({ results: {}, subject });
  });

  it('a nested basicIdentity object is read too', () => {
    expect(normaliseIdnowDataBlocks({ datablocks: [{ type: 'Identity', basicIdentity: identity }] }).subject).toEqual(
      subject,
    );
  });
});

describe('the CLI shows what the provider has decided so far', () => {
  it('a decision seen in progress is marked not final; a missing subject says why', () => {
    const decided = normaliseGbgV2(liveBody('InProgress', 'negative'), ctx);
    expect(
      progressLine({ status: 'in_progress', polls: 3, consecutiveErrors: 0, webhooksReceived: 0, lastState: decided }),
    ).toContain('decided rejected (not final)');
    const running = normaliseGbgV2(liveBody('InProgress', undefined), ctx);
    expect(
      progressLine({ status: 'in_progress', polls: 1, consecutiveErrors: 0, webhooksReceived: 0, lastState: running }),
    ).not.toContain('decided');
    const done = {
      ...normaliseGbgV2(liveBody('Completed', 'positive'), ctx),
      subjectUnavailable: { reason: 'fetch_failed' as const, message: 'HTTP 503', attempts: 3, httpStatus: 503 },
    };
    expect(stateLines(done)).toContain('subject:         unavailable (fetch_failed after 3 tries: HTTP 503)');
  });
});
