/**
 * Provider bodies the simulator serves, modelled on the fixtures and PROVIDERS.md: GBG v2 (documented and
 * SDK-spec shapes), GBG v1 (API-reference and guide shapes), IDnow sessions (production and sandbox shapes),
 * IDnow data blocks (shapes A, B, C), and each provider's error body.
 */
import type { JourneyProvider } from '../../src/journey';
import type { SimStatus } from './script';

export interface JourneyTimes {
  createdAt: string;
  now: string;
}

const GBG_V2_SPELLING: Record<SimStatus, string> = {
  in_progress: 'InProgress', created: 'InProgress', paused: 'Paused', completed: 'Completed', failed: 'Failed',
  error: 'Error', aborted: 'Failed', expired: 'Failed',
};
const GBG_V1_SPELLING: Record<SimStatus, string> = {
  in_progress: 'InProgress', created: 'InProgress', paused: 'Paused', completed: 'Completed', failed: 'Failed',
  error: 'Failed', aborted: 'Failed', expired: 'Failed',
};
const IDNOW_SPELLING: Record<SimStatus, string> = {
  in_progress: 'RUNNING', created: 'CREATED', paused: 'RUNNING', completed: 'COMPLETED', failed: 'ERROR',
  error: 'ERROR', aborted: 'ABORTED', expired: 'EXPIRED',
};

export function providerSpelling(provider: JourneyProvider, status: SimStatus): string {
  return (provider === 'gbg-go-v2' ? GBG_V2_SPELLING : provider === 'gbg-go-v1' ? GBG_V1_SPELLING : IDNOW_SPELLING)[status];
}

const JOURNEY_DEFINITION = '9dcd95e06495ec32c9ad149283a935548e4a380461b9ee6981af0fef5c70c8c3';

/** GBG v2. `variant`: `docs` (default, `context.process…`) or `sdk` (`metaData`/`data`). */
export function gbgV2Body(journeyId: string, providerStatus: string, status: SimStatus, times: JourneyTimes, variant = 'docs', outcome = 'accepted'): unknown {
  const done = status !== 'in_progress' && status !== 'paused' && status !== 'created';
  if (variant === 'sdk') {
    return { instanceId: journeyId, status: providerStatus, metaData: { createdTime: times.createdAt, completedTime: done ? times.now : '' }, data: {} };
  }
  const positive = status === 'completed' && outcome !== 'rejected';
  return {
    instanceId: journeyId,
    status: providerStatus,
    context: {
      process: {
        journey: {
          name: 'Age verification',
          startedAt: times.createdAt,
          id: JOURNEY_DEFINITION,
          version: '5f7yigc4',
          ...(done ? { endedAt: times.now, durationMilliSec: Date.parse(times.now) - Date.parse(times.createdAt) } : {}),
        },
        instance: { id: journeyId, instanceId: journeyId },
        steps: done
          ? [
              {
                nodeId: 'mp586xkhweua5v4z5n',
                outcomeClassification: positive ? 'positive' : 'negative',
                result: {
                  status: status === 'completed' ? 'complete' : 'error',
                  advice: { age_result_capabilities: [positive ? 'resultcode.confirm.age' : 'resultcode.deny.age'] },
                  outcome: positive ? 'Of Age' : 'Under Age',
                },
                process: {},
              },
            ]
          : [],
      },
      subject: done
        ? {
            identity: {
              dateOfBirth: '1982-09-27',
              firstName: 'John',
              lastNames: ['Doe'],
              currentAddress: { postalCode: '900010', country: 'US', lines: ['New Orleans, Louisiana, U.S.'], locality: 'New Orleans' },
            },
          }
        : {},
      result: { status: done ? (status === 'completed' ? 'completed' : 'failed') : 'pending', advice: {} },
    },
  };
}

/** GBG v1. `variant`: `api` (default, `status`/`metaData`) or `guide` (`state` upper case, `timestamp`/`lastUpdated`). */
export function gbgV1Body(journeyId: string, providerStatus: string, status: SimStatus, times: JourneyTimes, variant = 'api'): unknown {
  const done = status !== 'in_progress' && status !== 'paused' && status !== 'created';
  if (variant === 'guide') {
    const upper = providerStatus.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    return { instanceId: journeyId, state: upper, timestamp: times.createdAt, lastUpdated: times.now };
  }
  return { metaData: { createdTime: times.createdAt, completedTime: done ? times.now : '' }, status: providerStatus, data: {}, instanceId: journeyId };
}

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
  const terminal = status !== 'in_progress' && status !== 'created' && status !== 'paused';
  const decided = status === 'completed';
  const sx = variant === 'sx';
  const outcomeText = decided ? (sx ? outcome.toUpperCase() : outcome) : 'NO_OUTCOME';
  return {
    sessionId,
    sessionStatus: providerStatus,
    flowId: '0197c55f-5af6-7e3d-af9b-f2359b154be8',
    flowVersion: 1,
    environment,
    subjectId: 'subj_8f3a2c91b47d4e6b',
    outcome: outcomeText,
    createdAt: times.createdAt,
    startedAt: status === 'created' ? null : times.createdAt,
    updatedAt: times.now,
    ...(terminal ? { completedAt: times.now } : {}),
    lastStep: sx
      ? { stepName: decided ? 'END' : 'START', stepType: decided ? 'END' : 'START', verdict: decided ? outcome : 'success' }
      : decided
        ? { stepId: 'step_end_001', stepDescription: 'Final step', verdict: 'completed' }
        : { stepId: 'step_start_001', stepDescription: 'Session initialization', verdict: 'success' },
    results: decided
      ? {
          documentVerification: { type: 'dataBlock', id: `${sessionId}-db1` },
          pepAndSanctionsResults: { type: 'dataBlock', id: `${sessionId}-db2` },
        }
      : {},
  };
}

/** IDnow data blocks in shape A (default), B or C. */
export function idnowDataBlocksBody(sessionId: string, times: JourneyTimes, shape = 'A'): unknown {
  const person = { firstName: 'Erika', lastName: 'Mustermann', dateOfBirth: '1964-08-12' };
  if (shape === 'B') {
    return {
      dataBlocks: [
        { datablockId: `${sessionId}-db1`, type: 'documentVerification', lastStep: { stepId: 'step_doc_001' }, createdAt: times.now, ...person },
        { datablockId: `${sessionId}-db2`, type: 'pepAndSanctionsResults', lastStep: { stepId: 'step_pep_001' }, createdAt: times.now, hits: 0 },
      ],
    };
  }
  if (shape === 'C') {
    return {
      datablocks: [
        { datablockId: `${sessionId}-db1`, type: 'DocumentVerification', createdByStep: 'step_doc_001', givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12' },
        { datablockId: `${sessionId}-db2`, type: 'PepAndSanctionsResults', createdByStep: 'step_pep_001', hits: 0 },
      ],
    };
  }
  return {
    dataBlocks: [
      { datablockId: `${sessionId}-db1`, type: 'documentVerification', createdBy: { stepId: 'step_doc_001', clock: 3 }, createdAt: times.now, status: 'STORED', content: person },
      { datablockId: `${sessionId}-db2`, type: 'pepAndSanctionsResults', createdBy: { stepId: 'step_pep_001', clock: 4 }, createdAt: times.now, status: 'STORED', content: { hits: 0 } },
    ],
  };
}

const GBG_ERRORS: Record<number, { code: string; name: string; location: string; problem: string; action: string }> = {
  400: { code: '4002', name: 'MISSING_FIELD', location: 'Body', problem: 'instanceId is missing or malformed', action: 'Send a valid instanceId' },
  401: { code: '2001', name: 'UNAUTHORIZED', location: 'Authorization', problem: 'The access token is missing, invalid or expired', action: 'Request a new token' },
  403: { code: '2002', name: 'FORBIDDEN', location: 'Authorization', problem: 'Not allowed', action: 'Check the client permissions' },
  404: { code: '1001', name: 'NOT_FOUND', location: 'Path', problem: 'Journey instance not found', action: 'Check the instanceId' },
  409: { code: '4003', name: 'INVALID_FIELD', location: 'Body', problem: 'Conflicting request', action: 'Retry later' },
  422: { code: '4004', name: 'UNPROCESSABLE_ENTITY', location: 'Body', problem: 'The request cannot be processed', action: 'Check the request' },
  500: { code: '5001', name: 'UNKNOWN', location: 'Service', problem: 'Unknown error', action: 'Retry later' },
  503: { code: '5005', name: 'SERVICE_UNAVAILABLE', location: 'Service', problem: 'Service unavailable', action: 'Retry later' },
};

export function errorBody(provider: JourneyProvider, httpStatus: number): unknown {
  if (provider === 'gbg-go-v2') {
    const e = GBG_ERRORS[httpStatus] ?? { code: String(httpStatus), name: 'ERROR', location: 'Service', problem: `HTTP ${httpStatus}`, action: 'Retry later' };
    return { errors: [e] };
  }
  if (provider === 'gbg-go-v1') {
    return { status: httpStatus, message: GBG_ERRORS[httpStatus]?.problem ?? `HTTP ${httpStatus}`, error: GBG_ERRORS[httpStatus]?.name ?? 'ERROR' };
  }
  return { error: httpStatus === 401 ? 'unauthorized' : httpStatus === 404 ? 'session_not_found' : `http_${httpStatus}`, status: httpStatus };
}
