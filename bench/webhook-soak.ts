/**
 * 5. Webhook receiver soak: the receiver as its own process (`src/webhooks/main.ts`, as `npm run webhooks` runs
 * it) takes a shuffled mix of webhooks (valid GBG ones that signal journeys, and the odd ones a provider or an
 * attacker sends: wrong credentials, forged IDnow JWTs, malformed JSON, over-long ids and statuses, 2 MB bodies),
 * then rests. Its resident memory before, at peak and after the rest, from /proc: memory that does not come back
 * after a rest is a leak.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { mapLimit, procUsage, sleepMs, type Stack } from './stack';

export interface WebhookSoakOptions {
  requests: number;
  concurrency: number;
  restMs: number;
}

export interface WebhookSoakResult {
  options: WebhookSoakOptions;
  statuses: Record<string, number>;
  /** Requests that ended without an HTTP answer (reset, broken pipe). */
  transportErrors: number;
  rssMb: { before: number; peak: number; afterRest: number };
  durationMs: number;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

async function startReceiver(stack: Stack, port: number, basic: { user: string; password: string }) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../src/webhooks/main.ts')], {
    env: {
      PATH: process.env.PATH ?? '',
      TEMPORAL_ADDRESS: stack.address,
      TEMPORAL_NAMESPACE: stack.namespace,
      JOURNEY_TASK_QUEUE: `soak-${randomUUID().slice(0, 8)}`,
      WEBHOOK_PORT: String(port),
      LOG_LEVEL: 'ERROR',
      GBG_WEBHOOK_BASIC_USER: basic.user,
      GBG_WEBHOOK_BASIC_PASSWORD: basic.password,
      IDNOW_WEBHOOK_JWKS_URL: `${stack.simulatorUrl}/idnow/oidc/.well-known/jwks.json`,
      IDNOW_WEBHOOK_ISSUER: `${stack.simulatorUrl}/idnow`,
      IDNOW_WEBHOOK_AUDIENCE: 'journey-await',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  for (let i = 0; i < 300; i++) {
    const up = await request(`http://127.0.0.1:${port}/healthz`)
      .then(async (r) => (await r.body.dump(), r.statusCode === 200))
      .catch(() => false);
    if (up) return child;
    if (child.exitCode !== null) break;
    await sleepMs(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the webhook receiver did not start: ${output.slice(-500)}`);
}

interface Shot {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** The mix: half of it valid GBG webhooks for 200 journeys, the rest odd ones. Shuffled with a fixed seed. */
function shots(n: number, auth: string, journeyIds: string[]): Shot[] {
  const json = { 'content-type': 'application/json' };
  const forgedJwt = `${Buffer.from('{"alg":"RS256","kid":"nope"}').toString('base64url')}.${Buffer.from('{"aud":"journey-await"}').toString('base64url')}.c2ln`;
  const big = 'x'.repeat(2 * 1024 * 1024);
  const kinds: ((i: number) => Shot)[] = [
    (i) => ({
      path: '/webhooks/gbg-go-v2',
      body: JSON.stringify({
        instanceId: journeyIds[i % journeyIds.length],
        status: i % 3 ? 'In Progress' : 'Completed',
      }),
      headers: { ...json, authorization: auth },
    }),
    (i) => ({
      path: '/webhooks/gbg-go-v1',
      body: JSON.stringify({ instanceId: journeyIds[i % journeyIds.length], status: `S ${'z'.repeat(300)} ${i % 7}` }),
      headers: { ...json, authorization: auth },
    }),
    () => ({ path: '/webhooks/gbg-go-v2', body: '{"instanceId":', headers: { ...json, authorization: auth } }),
    () => ({ path: '/webhooks/gbg-go-v2', body: '{}', headers: { ...json, authorization: 'Basic d3Jvbmc6d3Jvbmc=' } }),
    () => ({ path: '/webhooks/idnow', body: forgedJwt, headers: { 'content-type': 'application/jwt' } }),
    () => ({ path: `/webhooks/idnow/${'a'.repeat(200)}`, body: '{}', headers: json }),
  ];
  const list: Shot[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 500 === 499)
      list.push({ path: '/webhooks/gbg-go-v2', body: big, headers: { ...json, authorization: auth } });
    else list.push(kinds[i % 2 === 0 ? 0 : 1 + ((i >> 1) % (kinds.length - 1))]!(i));
  }
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

export async function runWebhookSoak(
  stack: Stack,
  opts: WebhookSoakOptions,
  log: (msg: string) => void,
): Promise<WebhookSoakResult> {
  const port = await freePort();
  const basic = { user: 'soak', password: randomUUID() };
  const auth = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
  const receiver: ChildProcess = await startReceiver(stack, port, basic);
  const agent = new Agent({ connections: opts.concurrency });
  try {
    const rss = () => procUsage(receiver.pid)?.rssMb ?? Number.NaN;
    await sleepMs(2_000);
    const before = rss();
    log(
      `webhook soak: ${opts.requests} shuffled requests, ${opts.concurrency} at a time; receiver RSS ${before.toFixed(0)} MiB…`,
    );
    const journeyIds = Array.from({ length: 200 }, (_, i) => `soak-${randomUUID().slice(0, 8)}-${i}`);
    const statuses: Record<string, number> = {};
    let transportErrors = 0;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
    const started = Date.now();
    await mapLimit(shots(opts.requests, auth, journeyIds), opts.concurrency, async (shot) => {
      try {
        const res = await request(`http://127.0.0.1:${port}${shot.path}`, {
          method: 'POST',
          headers: shot.headers,
          body: shot.body,
          dispatcher: agent,
        });
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      } catch {
        transportErrors++;
      }
    });
    const durationMs = Date.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, rss());
    log(
      `webhook soak: load done in ${(durationMs / 1000).toFixed(1)} s, peak ${peak.toFixed(0)} MiB; resting ${opts.restMs / 1000} s…`,
    );
    await agent.close();
    await sleepMs(opts.restMs);
    const afterRest = rss();
    return {
      options: opts,
      statuses,
      transportErrors,
      rssMb: { before: Math.round(before), peak: Math.round(peak), afterRest: Math.round(afterRest) },
      durationMs,
    };
  } finally {
    await agent.destroy().catch(() => {});
    receiver.kill('SIGTERM');
    await new Promise((resolve) => (receiver.exitCode !== null ? resolve(undefined) : receiver.once('exit', resolve)));
  }
}
