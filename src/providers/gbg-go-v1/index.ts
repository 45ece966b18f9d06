/** GBG GO v1 (`gbg-go-v1`): `POST /captain/api/journey/state/fetch`; the rest is shared with v2 (../gbg). */
import { createGbgAdapter } from '../gbg/adapter';
import { normaliseGbgV1 } from './state';

export * from './state';

export const gbgGoV1Adapter = createGbgAdapter({
  provider: 'gbg-go-v1',
  statePath: '/captain/api/journey/state/fetch',
  normalise: normaliseGbgV1,
  readErrorMessage: true,
});
