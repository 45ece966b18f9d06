/** One entry point over the three normalisers. */
import type { JourneyProvider, JourneyState } from '../journey';
import { normaliseGbgV1 } from './gbg-go-v1';
import { normaliseGbgV2 } from './gbg-go-v2';
import { normaliseIdnowSession } from './idnow';
import type { NormaliseContext } from './util';

export const normalisers: Record<JourneyProvider, (body: unknown, ctx: NormaliseContext) => JourneyState> = {
  'gbg-go-v2': normaliseGbgV2,
  'gbg-go-v1': normaliseGbgV1,
  idnow: normaliseIdnowSession,
};

/** Body → JourneyState, or a ProviderResponseError naming the bad field. Pure. */
export function normalise(provider: JourneyProvider, body: unknown, ctx: NormaliseContext): JourneyState {
  return normalisers[provider](body, ctx);
}
