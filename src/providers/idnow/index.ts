/** IDnow Trust Platform (`idnow`): the adapter over this folder's config, requests, schemas and normalisers. */
import type { ProviderAdapter } from '../adapter';
import { isCodeLike } from '../util';
import { IDNOW_NOT_CONFIGURED } from './config';
import { normaliseIdnowDataBlocks } from './data-blocks';
import { idnowDataBlocksRequest, idnowStateRequest, idnowTokenKey, idnowTokenRequest } from './requests';
import { normaliseIdnowSession } from './session';
import { parseIdnowWebhook } from './webhook';

export * from './config';
export * from './data-blocks';
export * from './requests';
export * from './session';
export * from './webhook';

export const idnowAdapter: ProviderAdapter = {
  provider: 'idnow',
  notConfigured: IDNOW_NOT_CONFIGURED,
  plan(config, { journeyId, environment }) {
    const idnow = config.idnow;
    if (!idnow) return undefined;
    return {
      tokenKey: idnowTokenKey(idnow),
      tokenRequest: idnowTokenRequest(idnow),
      stateRequest: idnowStateRequest(idnow, journeyId, environment),
      ...(idnow.fetchDataBlocks
        ? {
            supplement: {
              request: idnowDataBlocksRequest(idnow, journeyId, environment),
              read: normaliseIdnowDataBlocks,
            },
          }
        : {}),
    };
  },
  normalise: normaliseIdnowSession,
  // No error body is documented: only a short code such as `invalid_client` or `session_not_found` is repeated.
  errorMessage(body) {
    const code = body.error ?? body.errorCode ?? body.code;
    return typeof code === 'string' && isCodeLike(code) ? code : undefined;
  },
  // The JWT arrives as an `application/jwt` body (newer docs) or in X-Idnow-Signature (sandbox docs).
  webhook: {
    auth: { scheme: 'signed-jwt', configKey: 'idnow', jwtHeader: 'x-idnow-signature' },
    journeyIdField: 'payload.sessionId',
    parse: parseIdnowWebhook,
  },
};
