/** The adapter both GBG GO families share; each family folder supplies its state path and normaliser. */
import type { JourneyState } from '../../contract/journey-state';
import type { JourneyProvider } from '../../contract/vocabulary';
import type { ProviderAdapter } from '../adapter';
import type { NormaliseContext } from '../util';
import { GBG_NOT_CONFIGURED } from './config';
import { gbgErrorMessage } from './errors';
import { gbgStateRequest, gbgTokenKey, gbgTokenRequest } from './requests';
import { parseGbgWebhook } from './webhook';

export interface GbgFamily {
  provider: JourneyProvider;
  /** e.g. `/v2/captain/journey/state/fetch`. */
  statePath: string;
  normalise(body: unknown, ctx: NormaliseContext): JourneyState;
  /** v1 documents `{status, message, error}` error bodies besides `errors[]`. */
  readErrorMessage: boolean;
}

export function createGbgAdapter(family: GbgFamily): ProviderAdapter {
  return {
    provider: family.provider,
    notConfigured: GBG_NOT_CONFIGURED,
    plan(config, input) {
      const gbg = config.gbg;
      if (!gbg) return undefined;
      return {
        tokenKey: gbgTokenKey(gbg, input.environment),
        tokenRequest: gbgTokenRequest(gbg, input.environment),
        stateRequest: gbgStateRequest(family.statePath, gbg, input.journeyId, input.environment),
      };
    },
    normalise: family.normalise,
    errorMessage: (body) => gbgErrorMessage(body, { readMessage: family.readErrorMessage }),
    webhook: {
      auth: { scheme: 'shared-secret', configKey: 'gbg' },
      journeyIdField: 'instanceId',
      parse: parseGbgWebhook,
    },
  };
}
