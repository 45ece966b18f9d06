/** One entry point over the adapters' normalisers. */
import type { JourneyState } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import { adapters } from './registry';
import type { NormaliseContext } from './util';

/** Body → JourneyState, or a ProviderResponseError naming the bad field. Pure. */
export function normalise(provider: JourneyProvider, body: unknown, ctx: NormaliseContext): JourneyState {
  return adapters[provider].normalise(body, ctx);
}
