/** GBG GO v2 (`gbg-go-v2`): `POST /v2/captain/journey/state/fetch`; the rest is shared with v1 (../gbg). */
import { createGbgAdapter } from '../gbg/adapter';
import { normaliseGbgV2 } from './state';

export * from './state';

export const gbgGoV2Adapter = createGbgAdapter({
  provider: 'gbg-go-v2',
  statePath: '/v2/captain/journey/state/fetch',
  normalise: normaliseGbgV2,
  readErrorMessage: false,
});
