/**
 * Token endpoints, as strict as the providers' about grants and credentials:
 *   POST /gbg/as/token.oauth2                               GBG PingFederate: client_credentials + scope=gbg.token, or password
 *   POST /gbg[/{region}]/auth/realms/go/protocol/openid-connect/token  GBG Keycloak (fabric tenants, on the regional
 *                                                           host): password only (scope=openid allowed)
 *   POST /idnow/oidc/token                                  IDnow: client_credentials, client_secret_post or _basic
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, same, type SimulatorState } from '../state';

export interface TokenRouteOptions {
  state: SimulatorState;
  /** How Basic client credentials are read: `raw` Base64(id:secret) as IDnow documents, or `urlencoded` (RFC 6749). */
  idnowBasicEncoding: 'raw' | 'urlencoded';
}

/** `id:secret` from HTTP Basic credentials (split at the first colon); anything undecodable is no credential. */
export function basicPair(encoded: string, encoding: 'raw' | 'urlencoded'): [string | undefined, string | undefined] {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return [undefined, undefined];
  const [id, secret] = [decoded.slice(0, i), decoded.slice(i + 1)];
  if (encoding === 'raw') return [id, secret];
  try {
    const formDecode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
    return [formDecode(id), formDecode(secret)];
  } catch {
    return [undefined, undefined];
  }
}

const form = (req: FastifyRequest) => new URLSearchParams(typeof req.body === 'string' ? req.body : '');

export function tokenRoutes(app: FastifyInstance, { state, idnowBasicEncoding }: TokenRouteOptions): void {
  function gbgToken(req: FastifyRequest, keycloak: boolean) {
    state.stats.tokenRequests.gbg++;
    const c = state.credentials.gbg;
    const f = form(req);
    const grant = f.get('grant_type');
    if (grant !== 'password' && (grant !== 'client_credentials' || keycloak))
      throw new HttpError(400, { error: 'unsupported_grant_type' });
    if (!same(f.get('client_id'), c.clientId) || !same(f.get('client_secret'), c.clientSecret))
      throw new HttpError(401, { error: 'invalid_client' });
    if (grant === 'password' && (!same(f.get('username'), c.username) || !same(f.get('password'), c.password)))
      throw new HttpError(400, { error: 'invalid_grant' });
    if (grant === 'client_credentials' && f.get('scope') !== c.scope)
      throw new HttpError(400, { error: 'invalid_scope' });
    if (keycloak && f.has('scope') && f.get('scope') !== 'openid') throw new HttpError(400, { error: 'invalid_scope' });
    return state.issueToken('gbg', keycloak ? 'gbgKeycloak' : 'gbg');
  }

  app.post('/gbg/as/token.oauth2', async (req, reply) =>
    reply.header('cache-control', 'no-store').send(gbgToken(req, false)),
  );
  for (const path of [
    '/gbg/auth/realms/go/protocol/openid-connect/token',
    '/gbg/:region/auth/realms/go/protocol/openid-connect/token',
  ])
    app.post(path, async (req, reply) => reply.header('cache-control', 'no-store').send(gbgToken(req, true)));

  app.post('/idnow/oidc/token', async (req, reply) => {
    state.stats.tokenRequests.idnow++;
    const c = state.credentials.idnow;
    const f = form(req);
    if (f.get('grant_type') !== 'client_credentials') throw new HttpError(400, { error: 'unsupported_grant_type' });
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    let id: string | null | undefined;
    let secret: string | null | undefined;
    if (basic) {
      [id, secret] = basicPair(basic[1]!, idnowBasicEncoding);
      state.stats.idnowClientAuth.basic++;
    } else {
      [id, secret] = [f.get('client_id'), f.get('client_secret')];
      state.stats.idnowClientAuth.post++;
    }
    if (!same(id, c.clientId) || !same(secret, c.clientSecret)) throw new HttpError(401, { error: 'invalid_client' });
    return reply.header('cache-control', 'no-store').send(state.issueToken('idnow'));
  });
}
