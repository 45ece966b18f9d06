/**
 * IDnow bodies the simulator serves, paired with src/providers/idnow: sessions (`io` production-docs and `sx`
 * sandbox-docs variants), data blocks in the three documented shapes (identity in a `basicIdentity` block in each;
 * shape C entries carry no `datablockId`), and its error body (none documented: a short code).
 */
import type { SimStatus } from '../script';
import type { JourneyTimes } from './gbg';

const FLOW_ID = '0197c55f-5af6-7e3d-af9b-f2359b154be8';

/** IDnow session. `variant`: `io` (default, production docs) or `sx` (sandbox docs: `ACCEPTED`, `lastStep{stepName, stepType}`). */
export function idnowSessionBody(
  sessionId: string,
  providerStatus: string,
  status: SimStatus,
  times: JourneyTimes,
  environment: string,
  variant = 'io',
  outcome = 'accepted',
): unknown {
  const terminal = !['in_progress', 'decided', 'created', 'paused'].includes(status);
  const decided = status === 'completed';
  const sx = variant === 'sx';
  const outcomeText = decided ? (sx ? outcome.toUpperCase() : outcome) : 'NO_OUTCOME';
  return {
    sessionId,
    sessionStatus: providerStatus,
    flowId: FLOW_ID,
    flowVersion: 1,
    environment,
    subjectId: 'subj_8f3a2c91b47d4e6b',
    outcome: outcomeText,
    createdAt: times.createdAt,
    startedAt: status === 'created' ? null : times.createdAt,
    updatedAt: times.now,
    ...(terminal ? { completedAt: times.now } : {}),
    lastStep: sx
      ? {
          stepName: decided ? 'END' : 'START',
          stepType: decided ? 'END' : 'START',
          verdict: decided ? outcome : 'success',
        }
      : decided
        ? { stepId: 'step_end_001', stepDescription: 'Final step', verdict: 'completed' }
        : { stepId: 'step_start_001', stepDescription: 'Session initialization', verdict: 'success' },
    results: decided
      ? {
          documentVerification: { type: 'dataBlock', id: `${sessionId}-db1` },
          pepAndSanctionsResults: { type: 'dataBlock', id: `${sessionId}-db2` },
          basicIdentity: { type: 'dataBlock', id: `${sessionId}-db3` },
        }
      : {},
  };
}

const IDENTITY = { givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12' };

/** IDnow data blocks in shape A (default), B or C: document check, PEP screening, and the identity. */
export function idnowDataBlocksBody(sessionId: string, times: JourneyTimes, shape = 'A'): unknown {
  const document = { documentType: 'ID_CARD', issuingCountry: 'DEU', verified: true };
  if (shape === 'B') {
    return {
      dataBlocks: [
        {
          datablockId: `${sessionId}-db1`,
          type: 'documentVerification',
          lastStep: { stepId: 'step_doc_001' },
          createdAt: times.now,
          ...document,
        },
        {
          datablockId: `${sessionId}-db2`,
          type: 'pepAndSanctionsResults',
          lastStep: { stepId: 'step_pep_001' },
          createdAt: times.now,
          hits: 0,
        },
        {
          datablockId: `${sessionId}-db3`,
          type: 'basicIdentity',
          lastStep: { stepId: 'step_doc_001' },
          createdAt: times.now,
          ...IDENTITY,
        },
      ],
    };
  }
  if (shape === 'C') {
    return {
      datablocks: [
        { type: 'DocumentVerification', createdByStep: 'step_doc_001', ...document },
        { type: 'PepAndSanctionsResults', createdByStep: 'step_pep_001', hits: 0 },
        { type: 'BasicIdentity', createdByStep: 'step_doc_001', ...IDENTITY },
      ],
    };
  }
  const stored = (n: number, type: string, stepId: string, clock: number, content: Record<string, unknown>) => ({
    datablockId: `${sessionId}-db${n}`,
    type,
    createdBy: { stepId, clock },
    createdAt: times.now,
    status: 'STORED',
    content,
  });
  return {
    dataBlocks: [
      stored(1, 'documentVerification', 'step_doc_001', 3, document),
      stored(2, 'pepAndSanctionsResults', 'step_pep_001', 4, { hits: 0 }),
      stored(3, 'basicIdentity', 'step_doc_001', 3, IDENTITY),
    ],
  };
}

export function idnowErrorBody(httpStatus: number): unknown {
  return {
    error: httpStatus === 401 ? 'unauthorized' : httpStatus === 404 ? 'session_not_found' : `http_${httpStatus}`,
    status: httpStatus,
  };
}
