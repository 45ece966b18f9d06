/** One entry point over the adapters' normalisers. */
import type { JourneyProvider, JourneyState } from '../journey';
import { adapters } from './registry';
import type { NormaliseContext } from './util';

/** Body → JourneyState, or a ProviderResponseError naming the bad field. Pure. */
export function normalise(provider: JourneyProvider, body: unknown, ctx: NormaliseContext): JourneyState {
  return adapters[provider].normalise(body, ctx);
}
