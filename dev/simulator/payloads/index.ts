/** The bodies the simulator serves, per provider: each file pairs with its adapter folder in src/providers. */
import type { JourneyProvider } from '../../../src/contract/vocabulary';
import type { SimStatus } from '../script';
import { gbgErrorBody, gbgV1ErrorBody } from './gbg';
import { idnowErrorBody } from './idnow';

export * from './gbg';
export * from './idnow';

const GBG_V2_SPELLING: Record<SimStatus, string> = {
  in_progress: 'InProgress',
  decided: 'InProgress',
  created: 'InProgress',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  error: 'Error',
  aborted: 'Failed',
  expired: 'Failed',
};
const GBG_V1_SPELLING: Record<SimStatus, string> = { ...GBG_V2_SPELLING, error: 'Failed' };
const IDNOW_SPELLING: Record<SimStatus, string> = {
  in_progress: 'RUNNING',
  decided: 'RUNNING',
  created: 'CREATED',
  paused: 'RUNNING',
  completed: 'COMPLETED',
  failed: 'ERROR',
  error: 'ERROR',
  aborted: 'ABORTED',
  expired: 'EXPIRED',
};

const SPELLINGS: Record<JourneyProvider, Record<SimStatus, string>> = {
  'gbg-go-v2': GBG_V2_SPELLING,
  'gbg-go-v1': GBG_V1_SPELLING,
  idnow: IDNOW_SPELLING,
};

export function providerSpelling(provider: JourneyProvider, status: SimStatus): string {
  return SPELLINGS[provider][status];
}

export function errorBody(provider: JourneyProvider, httpStatus: number): unknown {
  if (provider === 'gbg-go-v2') return gbgErrorBody(httpStatus);
  if (provider === 'gbg-go-v1') return gbgV1ErrorBody(httpStatus);
  return idnowErrorBody(httpStatus);
}
