/**
 * GBG GO bodies the simulator serves, paired with src/providers/gbg-go-v2 and gbg-go-v1. v2 variants: `live`
 * (default: what GBG's sample backend sees on real runs: top-level `result`, named steps with `process.step.endedAt`,
 * a classified decision node, and no `journey.endedAt`), `docs` (the documented example, with `endedAt`) and `sdk`
 * (the SDK spec's `metaData`/`data`). v1 variants: `api` (default) and `guide`. Errors: GBG's `errors[]` body.
 */
import type { SimStatus } from '../script';

export interface JourneyTimes {
  createdAt: string;
  now: string;
}

const JOURNEY_DEFINITION = '9dcd95e06495ec32c9ad149283a935548e4a380461b9ee6981af0fef5c70c8c3';
const RUNNING: readonly SimStatus[] = ['in_progress', 'decided', 'paused', 'created'];

const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

function identity() {
  return {
    dateOfBirth: '1982-09-27',
    firstName: 'John',
    lastNames: ['Doe'],
    currentAddress: {
      postalCode: '900010',
      country: 'US',
      lines: ['New Orleans, Louisiana, U.S.'],
      locality: 'New Orleans',
    },
  };
}

/** The steps so far: an age check, then (once decided) the journey's decision node carrying the classification. */
function gbgSteps(status: SimStatus, positive: boolean, times: JourneyTimes, withStepTimes: boolean) {
  if (status === 'in_progress' || status === 'paused' || status === 'created') return [];
  const errored = status === 'failed' || status === 'error' || status === 'aborted' || status === 'expired';
  const ended = withStepTimes
    ? {
        process: {
          step: { startedAt: times.createdAt, endedAt: plusMs(times.createdAt, 1_500), durationMilliSec: 1_500 },
        },
      }
    : { process: {} };
  const check = {
    nodeId: 'mp586xkhweua5v4z5n',
    name: 'Age Verification',
    result: errored
      ? {
          status: 'error',
          error: {
            errors: [
              {
                error: 'MODULE_EXECUTION_FAILED',
                code: '5001',
                location: 'Service',
                problem: 'The module could not run',
                action: 'Retry later',
              },
            ],
          },
        }
      : {
          status: 'complete',
          advice: { age_result_capabilities: [positive ? 'resultcode.confirm.age' : 'resultcode.deny.age'] },
          outcome: positive ? 'Of Age' : 'Under Age',
        },
    ...ended,
  };
  if (errored) return [check];
  return [check, { nodeId: 'mtrehx2922ie24j37zu', outcomeClassification: positive ? 'positive' : 'negative' }];
}

/** GBG v2 state. `outcome`: `accepted` (default) or `rejected`. */
export function gbgV2Body(
  journeyId: string,
  providerStatus: string,
  status: SimStatus,
  times: JourneyTimes,
  variant = 'live',
  outcome = 'accepted',
): unknown {
  const done = !RUNNING.includes(status);
  if (variant === 'sdk') {
    return {
      instanceId: journeyId,
      status: providerStatus,
      metaData: { createdTime: times.createdAt, completedTime: done ? times.now : '' },
      data: {},
    };
  }
  const positive = outcome !== 'rejected';
  const docs = variant === 'docs';
  const steps = gbgSteps(status, positive, times, !docs);
  const decided = steps.some((s) => 'outcomeClassification' in s);
  const resultStatus = done ? (status === 'completed' ? 'completed' : 'failed') : 'pending';
  const body = {
    instanceId: journeyId,
    status: providerStatus,
    context: {
      process: {
        journey: {
          name: 'Age verification',
          startedAt: times.createdAt,
          id: JOURNEY_DEFINITION,
          version: '5f7yigc4',
          // Documented, but never filled on real runs: only the `docs` variant sends it.
          ...(docs && done
            ? { endedAt: times.now, durationMilliSec: Date.parse(times.now) - Date.parse(times.createdAt) }
            : {}),
        },
        instance: { id: journeyId, instanceId: journeyId },
        steps,
      },
      subject: status === 'completed' ? { identity: identity() } : {},
      result: { status: resultStatus, advice: {} },
    },
  };
  if (docs) return body;
  const outcomeText = positive ? 'Of Age' : 'Under Age';
  return {
    ...body,
    result: {
      status: resultStatus,
      ...(decided ? { outcome: outcomeText, outcomeClassification: positive ? 'positive' : 'negative' } : {}),
    },
  };
}

/** GBG v1 state. `variant`: `api` (default, `status`/`metaData`) or `guide` (`state` upper case, `timestamp`/`lastUpdated`). */
export function gbgV1Body(
  journeyId: string,
  providerStatus: string,
  status: SimStatus,
  times: JourneyTimes,
  variant = 'api',
): unknown {
  const done = !RUNNING.includes(status);
  if (variant === 'guide') {
    const upper = providerStatus.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    return { instanceId: journeyId, state: upper, timestamp: times.createdAt, lastUpdated: times.now };
  }
  return {
    metaData: { createdTime: times.createdAt, completedTime: done ? times.now : '' },
    status: providerStatus,
    data: {},
    instanceId: journeyId,
  };
}

export interface GbgError {
  code: string;
  name: string;
  location: string;
  problem: string;
  action: string;
}

const GBG_ERRORS: Record<number, GbgError> = {
  400: {
    code: '4002',
    name: 'MISSING_FIELD',
    location: 'Body',
    problem: 'instanceId is missing or malformed',
    action: 'Send a valid instanceId',
  },
  401: {
    code: '2001',
    name: 'UNAUTHORIZED',
    location: 'Authorization',
    problem: 'The access token is missing, invalid or expired',
    action: 'Request a new token',
  },
  403: {
    code: '2002',
    name: 'FORBIDDEN',
    location: 'Authorization',
    problem: 'Not allowed',
    action: 'Check the client permissions',
  },
  404: {
    code: '1001',
    name: 'NOT_FOUND',
    location: 'Path',
    problem: 'Journey instance not found',
    action: 'Check the instanceId',
  },
  409: { code: '4003', name: 'INVALID_FIELD', location: 'Body', problem: 'Conflicting request', action: 'Retry later' },
  422: {
    code: '4004',
    name: 'UNPROCESSABLE_ENTITY',
    location: 'Body',
    problem: 'The request cannot be processed',
    action: 'Check the request',
  },
  500: { code: '5001', name: 'UNKNOWN', location: 'Service', problem: 'Unknown error', action: 'Retry later' },
  503: {
    code: '5005',
    name: 'SERVICE_UNAVAILABLE',
    location: 'Service',
    problem: 'Service unavailable',
    action: 'Retry later',
  },
};

export function gbgErrorBody(httpStatus: number, override?: Partial<GbgError>): { errors: GbgError[] } {
  const e = GBG_ERRORS[httpStatus] ?? {
    code: String(httpStatus),
    name: 'ERROR',
    location: 'Service',
    problem: `HTTP ${httpStatus}`,
    action: 'Retry later',
  };
  return { errors: [{ ...e, ...override }] };
}

/** v1: `{status, message, error}`. */
export function gbgV1ErrorBody(httpStatus: number): unknown {
  return {
    status: httpStatus,
    message: GBG_ERRORS[httpStatus]?.problem ?? `HTTP ${httpStatus}`,
    error: GBG_ERRORS[httpStatus]?.name ?? 'ERROR',
  };
}
