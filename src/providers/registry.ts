/**
 * The provider registry: provider id → adapter. fetchState, the webhook receiver and the normaliser entry point look
 * providers up here and know no provider by name. Adding a provider = its folder + one line here (and its id in
 * PROVIDERS, which the `satisfies` check below enforces).
 */
import type { JourneyProvider } from '../contract/vocabulary';
import type { ProviderAdapter } from './adapter';
import { gbgGoV1Adapter } from './gbg-go-v1';
import { gbgGoV2Adapter } from './gbg-go-v2';
import { idnowAdapter } from './idnow';

export const adapters = {
  'gbg-go-v2': gbgGoV2Adapter,
  'gbg-go-v1': gbgGoV1Adapter,
  idnow: idnowAdapter,
} as const satisfies Record<JourneyProvider, ProviderAdapter>;

/** The adapter of a provider id, or undefined for an id no adapter serves. */
export function adapterFor(provider: string): ProviderAdapter | undefined {
  return Object.prototype.hasOwnProperty.call(adapters, provider) ? adapters[provider as JourneyProvider] : undefined;
}
