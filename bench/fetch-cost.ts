/**
 * 4. fetchState cost: the activity's whole path (token cache, request building, undici with timeouts and
 * abort signal, body cap, JSON parse, zod normalise, compaction) versus a bare undici request to the same
 * simulator endpoint with a ready token. Sequential latency, then throughput at a fixed concurrency.
 * Runs in this process outside any activity; the simulator is in its own process.
 */
import { Agent, request } from 'undici';
import { createActivities, createProviderAgent } from '../src/activities';
import { adapters } from '../src/providers';
import { scriptJourney, type Stack } from './stack';
import { rounded, summarize, type Summary } from './stats';

export interface FetchCostOptions {
  sequential: number;
  concurrency: number;
  durationMs: number;
}

export interface FetchWay {
  latencyMs: Summary;
  perSec: number;
}

export interface FetchCostResult {
  options: FetchCostOptions;
  provider: 'gbg-go-v2';
  fetchState: FetchWay;
  bareUndici: FetchWay;
}

async function measure(fn: () => Promise<unknown>, opts: FetchCostOptions): Promise<FetchWay> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up: token, connections, JIT
  const lat: number[] = [];
  for (let i = 0; i < opts.sequential; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  let done = 0;
  const t0 = Date.now();
  const until = t0 + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (Date.now() < until) {
        await fn();
        done++;
      }
    }),
  );
  return { latencyMs: rounded(summarize(lat), 3), perSec: Math.round((done * 1000) / (Date.now() - t0)) };
}

export async function runFetchCost(
  stack: Stack,
  opts: FetchCostOptions,
  log: (msg: string) => void,
): Promise<FetchCostResult> {
  const journeyId = 'bench-fetch-cost';
  await scriptJourney(stack.simulatorUrl, 'gbg-go-v2', journeyId, ['in_progress']);

  const agent = createProviderAgent({ connections: opts.concurrency });
  const bareAgent = new Agent({ connections: opts.concurrency, keepAliveTimeout: 30_000 });
  try {
    log(
      `fetch cost: fetchState, ${opts.sequential} sequential + ${opts.durationMs / 1000} s at concurrency ${opts.concurrency}…`,
    );
    const { fetchState } = createActivities({
      config: stack.providerConfig,
      dispatcher: agent,
      logger: { debug() {}, warn() {} },
    });
    const viaActivity = await measure(() => fetchState({ provider: 'gbg-go-v2', journeyId }), opts);

    log('fetch cost: bare undici request, same endpoint and token…');
    const plan = adapters['gbg-go-v2'].plan(stack.providerConfig, { provider: 'gbg-go-v2', journeyId })!;
    const tokenSpec = plan.tokenRequest;
    const tokenRes = await request(tokenSpec.url, {
      dispatcher: bareAgent,
      method: tokenSpec.method,
      headers: tokenSpec.headers,
      body: tokenSpec.body,
    });
    const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
    const spec = plan.stateRequest;
    const headers = { ...spec.headers, authorization: `Bearer ${token}` };
    const bare = await measure(async () => {
      const res = await request(spec.url, { dispatcher: bareAgent, method: spec.method, headers, body: spec.body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`bare request: HTTP ${res.statusCode} ${text.slice(0, 80)}`);
    }, opts);
    return { options: opts, provider: 'gbg-go-v2', fetchState: viaActivity, bareUndici: bare };
  } finally {
    await agent.close();
    await bareAgent.close();
  }
}
