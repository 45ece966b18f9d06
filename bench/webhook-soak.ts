/**
 * 5. Webhook receiver soak: the receiver as its own process (`src/webhooks/main.ts`, as `npm run webhooks` runs
 * it) takes a shuffled mix of webhooks (valid GBG ones that signal journeys, and the odd ones a provider or an
 * attacker sends: wrong credentials, forged IDnow JWTs, malformed JSON, over-long ids and statuses, 2 MB bodies),
 * then rests. Its resident memory before, at peak and after the rest, from /proc: memory that does not come back
 * after a rest is a leak. The receiver runs as plain `node` and with the node flags it ships with (SOAK_RECEIVERS),
 * so one run shows what the flags change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { RECEIVER_NODE_FLAGS } from '../src/webhooks/process-tuning';
import { mapLimit, procUsage, sleepMs, type Stack } from './stack';

export interface WebhookSoakOptions {
  requests: number;
  concurrency: number;
  restMs: number;
}

export interface ReceiverTuning {
  name: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

export const SOAK_RECEIVERS: readonly ReceiverTuning[] = [
  { name: 'plain node', nodeArgs: [], env: {} },
  { name: `${RECEIVER_NODE_FLAGS.join(' ')} (shipped)`, nodeArgs: [...RECEIVER_NODE_FLAGS], env: {} },
];

export interface WebhookSoakResult {
  options: WebhookSoakOptions;
  receiver: string;
  statuses: Record<string, number>;
  /** Requests that ended without an HTTP answer (reset, broken pipe). */
  transportErrors: number;
  rssMb: { before: number; peak: number; afterRest: number };
  /** The breakdown before, at the highest sampled RSS, and after the rest. */
  memory: { before: MemorySample; peak: MemorySample; afterRest: MemorySample };
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

async function startReceiver(
  stack: Stack,
  port: number,
  metricsPort: number,
  basic: { user: string; password: string },
  tuning: ReceiverTuning,
) {
  const entry = path.join(__dirname, '../src/webhooks/main.ts');
  const child = spawn(process.execPath, [...tuning.nodeArgs, '--import', 'tsx', entry], {
    env: {
      ...tuning.env,
      PATH: process.env.PATH ?? '',
      WEBHOOK_METRICS_BIND: `127.0.0.1:${metricsPort}`,
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

/** The receiver's memory: RSS from /proc, V8's heap and the memory outside it from its own /metrics. */
export interface MemorySample {
  rssMb: number;
  /** V8 heap committed (heapTotal) and in use (heapUsed). */
  heapTotalMb: number;
  heapUsedMb: number;
  /** Young generation committed (new space). */
  newSpaceMb: number;
  /** Buffers and other memory V8 knows of outside its heap (process.memoryUsage().external). */
  externalMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

async function memoryOf(pid: number | undefined, metricsPort: number): Promise<MemorySample> {
  const res = await request(`http://127.0.0.1:${metricsPort}/metrics`);
  const text = await res.body.text();
  const metric = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
  };
  return {
    rssMb: Math.round((procUsage(pid)?.rssMb ?? Number.NaN) * 10) / 10,
    heapTotalMb: mb(metric('nodejs_heap_size_total_bytes ')),
    heapUsedMb: mb(metric('nodejs_heap_size_used_bytes ')),
    newSpaceMb: mb(metric('nodejs_heap_space_size_total_bytes{space="new"}')),
    externalMb: mb(metric('nodejs_external_memory_bytes ')),
  };
}

export async function runWebhookSoak(
  stack: Stack,
  opts: WebhookSoakOptions,
  log: (msg: string) => void,
  tuning: ReceiverTuning = SOAK_RECEIVERS[SOAK_RECEIVERS.length - 1]!,
): Promise<WebhookSoakResult> {
  const port = await freePort();
  const metricsPort = await freePort();
  const basic = { user: 'soak', password: randomUUID() };
  const auth = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
  const receiver: ChildProcess = await startReceiver(stack, port, metricsPort, basic, tuning);
  const agent = new Agent({ connections: opts.concurrency });
  try {
    const rss = () => procUsage(receiver.pid)?.rssMb ?? Number.NaN;
    await sleepMs(2_000);
    const before = await memoryOf(receiver.pid, metricsPort);
    log(
      `webhook soak: ${opts.requests} shuffled requests, ${opts.concurrency} at a time; receiver ${JSON.stringify(before)}…`,
    );
    const journeyIds = Array.from({ length: 200 }, (_, i) => `soak-${randomUUID().slice(0, 8)}-${i}`);
    const statuses: Record<string, number> = {};
    let transportErrors = 0;
    let peakRss = before.rssMb;
    let peak = before;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 100);
    const heapSampler = setInterval(
      () =>
        void memoryOf(receiver.pid, metricsPort)
          .then((m) => {
            if (m.rssMb >= peak.rssMb) peak = m;
          })
          .catch(() => {}),
      1_000,
    );
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
    clearInterval(heapSampler);
    const end = await memoryOf(receiver.pid, metricsPort);
    if (end.rssMb >= peak.rssMb) peak = end;
    peakRss = Math.max(peakRss, end.rssMb);
    log(
      `webhook soak: load done in ${(durationMs / 1000).toFixed(1)} s, peak RSS ${peakRss.toFixed(0)} MiB, at the end ${JSON.stringify(end)}; resting ${opts.restMs / 1000} s…`,
    );
    await agent.close();
    await sleepMs(opts.restMs);
    const afterRest = await memoryOf(receiver.pid, metricsPort);
    log(`webhook soak: after rest ${JSON.stringify(afterRest)}`);
    return {
      options: opts,
      receiver: tuning.name,
      statuses,
      transportErrors,
      rssMb: { before: Math.round(before.rssMb), peak: Math.round(peakRss), afterRest: Math.round(afterRest.rssMb) },
      memory: { before, peak, afterRest },
      durationMs,
    };
  } finally {
    await agent.destroy().catch(() => {});
    receiver.kill('SIGTERM');
    await new Promise((resolve) => (receiver.exitCode !== null ? resolve(undefined) : receiver.once('exit', resolve)));
  }
}
