/**
 * The naive way's activity: fetch the provider's state and hand the raw JSON body to the workflow on every
 * poll, so the whole payload lands in history each cycle. Same simulator endpoints and requests as fetchState;
 * no normalisation, no compaction.
 */
import { Agent, request } from 'undici';
import type { ProviderConfig } from '../src/providers/config';
import { adapters, type HttpRequestSpec } from '../src/providers';

export type NaiveProvider = 'gbg-go-v2' | 'idnow';

export interface NaiveFetchInput {
  provider: NaiveProvider;
  journeyId: string;
}

export interface NaiveActivities {
  fetchRawState(input: NaiveFetchInput): Promise<unknown>;
}

async function send(agent: Agent, spec: HttpRequestSpec): Promise<{ status: number; body: string }> {
  const res = await request(spec.url, {
    dispatcher: agent,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

export function createNaiveActivities(config: ProviderConfig): NaiveActivities {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const tokens = new Map<NaiveProvider, Promise<string>>();

  /** One token per provider; its request does not depend on the journey, but planning one checks the journey's id. */
  function token(provider: NaiveProvider, spec: HttpRequestSpec): Promise<string> {
    let t = tokens.get(provider);
    if (!t) {
      t = send(agent, spec).then(({ status, body }) => {
        if (status !== 200) throw new Error(`token request: HTTP ${status}`);
        return (JSON.parse(body) as { access_token: string }).access_token;
      });
      tokens.set(provider, t);
    }
    return t;
  }

  return {
    async fetchRawState({ provider, journeyId }) {
      const { stateRequest: spec, tokenRequest } = adapters[provider].plan(config, { provider, journeyId })!;
      const { status, body } = await send(agent, {
        ...spec,
        headers: { ...spec.headers, authorization: `Bearer ${await token(provider, tokenRequest)}` },
      });
      if (status !== 200) throw new Error(`state fetch: HTTP ${status}`);
      return JSON.parse(body) as unknown;
    },
  };
}
