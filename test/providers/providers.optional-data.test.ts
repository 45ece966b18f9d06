/**
 * Optional provider data of an odd shape (a results reference without an id, an undocumented GBG step that is not an
 * object, a duration sent as text) is dropped, never the state: a user keeps the journey's status and decision.
 * Only the status field itself is required.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journeyStateSchema, type JourneyState } from '../../src/contract/journey-state';
import { normaliseGbgV1, normaliseGbgV2, normaliseIdnowDataBlocks, normaliseIdnowSession } from '../../src/providers';

const ctx = { journeyId: 'Pq_hhIX6-sHUy9FLSDzPLu', observedAt: '2026-03-17T00:00:00.000Z' };
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8')) as Record<string, unknown>;

function expectValid(state: JourneyState): JourneyState {
  expect(journeyStateSchema.parse(state)).toStrictEqual(state);
  return state;
}

describe('IDnow: an odd results reference or optional field never loses a completed session', () => {
  const completed = fixture('idnow/session-completed.json');

  it.each([
    ['a reference without an id', { verdictSummary: { type: 'verdict', value: 'ok' } }],
    ['a numeric id', { verdictSummary: { type: 'dataBlock', id: 42 } }],
    ['a null reference', { verdictSummary: null }],
    ['a string reference', { verdictSummary: 'inline' }],
  ])('%s: dropped, the readable references kept', (_what, odd) => {
    const body = { ...completed, results: { ...(completed.results as object), ...odd } };
    const state = expectValid(normaliseIdnowSession(body, ctx));
    expect(state).toMatchObject({ status: 'completed', terminal: true, decision: 'accepted' });
    expect(Object.keys(state.results ?? {}).sort()).toStrictEqual([
      'comparisonResults',
      'documentVerification',
      'pepAndSanctionsResults',
    ]);
  });

  it('results as a list, lastStep as text, flowVersion and startedAt of odd types: still completed, accepted', () => {
    const body = { ...completed, results: [], lastStep: 'END', flowVersion: { major: 1 }, startedAt: 1736245800 };
    const state = expectValid(normaliseIdnowSession(body, ctx));
    expect(state).toMatchObject({ status: 'completed', decision: 'accepted', completedAt: completed.completedAt });
    expect(state.results).toBeUndefined();
    expect(state.startedAt).toBeUndefined();
  });
});

describe('IDnow data blocks: one odd block never costs the identity', () => {
  it('a block that is not an object, or whose content and createdBy are of another shape, is read around', () => {
    const identity = { givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12' };
    const body = {
      dataBlocks: [
        null,
        { datablockId: 'db-1', type: 'documentVerification', content: 'sealed', createdBy: 'step_doc_001' },
        { datablockId: 'db-3', type: 'basicIdentity', status: 'STORED', content: identity },
      ],
    };
    expect(normaliseIdnowDataBlocks(body)).toStrictEqual({
      results: { documentVerification: { dataBlockId: 'db-1' }, basicIdentity: { dataBlockId: 'db-3' } },
      subject: { firstName: 'Erika', lastNames: ['Mustermann'], dateOfBirth: '1964-08-12' },
    });
  });
});

describe('GBG GO v2: undocumented steps and optional fields of odd shapes never lose the decision', () => {
  const decisionNode = { nodeId: 'n-decision', outcomeClassification: 'negative' };

  it('a step that is not an object is skipped; the decision node still decides', () => {
    const body = { instanceId: ctx.journeyId, status: 'Completed', steps: [null, 'Age Verification', decisionNode] };
    const state = expectValid(normaliseGbgV2(body, ctx));
    expect(state).toMatchObject({ status: 'completed', decision: 'rejected', steps: [{ id: 'n-decision' }] });
  });

  it('odd step fields, a text duration, a text lastNames, a text context.result: completed, rejected', () => {
    const body = {
      instanceId: ctx.journeyId,
      status: 'Completed',
      journey: { name: { en: 'Onboarding' }, startedAt: '2026-03-16T23:56:04.097Z', durationMilliSec: '94320' },
      steps: [
        { nodeId: 'n-age', name: 7, result: 'complete', process: { step: { endedAt: 1773705458417 } } },
        decisionNode,
      ],
      context: {
        subject: { identity: { firstName: 'John', lastNames: 'Doe' } },
        result: 'complete',
      },
      metaData: 'n/a',
    };
    const state = expectValid(normaliseGbgV2(body, ctx));
    expect(state).toMatchObject({ status: 'completed', terminal: true, decision: 'rejected' });
    expect(state.steps.map((s) => s.id)).toStrictEqual(['n-age', 'n-decision']);
    expect(state.subject).toStrictEqual({ firstName: 'John' });
  });

  it('steps as an object instead of a list: no steps, the top-level classification still decides', () => {
    const body = {
      status: 'Completed',
      result: { outcomeClassification: 'positive' },
      context: { process: { steps: {} } },
    };
    expect(expectValid(normaliseGbgV2(body, ctx))).toMatchObject({ status: 'completed', decision: 'accepted' });
  });
});

describe('GBG GO v1: odd metaData never loses a completed journey', () => {
  it.each([['n/a'], [{ createdTime: 1708035393, completedTime: null }]])('metaData %j', (metaData) => {
    const state = expectValid(normaliseGbgV1({ instanceId: ctx.journeyId, status: 'Completed', metaData }, ctx));
    expect(state).toMatchObject({ status: 'completed', terminal: true });
  });
});
