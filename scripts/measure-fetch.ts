/**
 * fetchState latency and throughput against the provider simulator (in a child process, so the numbers are
 * the activity's cost plus loopback HTTP, not the simulator sharing our event loop).
 *
 *   npx tsx scripts/measure-fetch.ts            # SEQUENTIAL=2000 CONCURRENCY=64 SECONDS=5
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createActivities, createProviderAgent } from '../src/activities';
import { PROVIDERS, type JourneyProvider } from '../src/journey';
import { providerConfigFromEnv } from '../src/providers';

const SEQUENTIAL = Number(process.env.SEQUENTIAL ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const SECONDS = Number(process.env.SECONDS ?? 5);

async function startSimulatorProcess(): Promise<{ url: string; env: Record<string, string>; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../src/simulator/main.ts')], {
    env: { ...process.env, SIMULATOR_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const env: Record<string, string> = {};
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url && /script a journey/.test(out)) {
        for (const m of out.matchAll(/^\s+([A-Z_]+)=(\S+)$/gm)) env[m[1]!] = m[2]!;
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ url, env, stop: () => child.kill('SIGTERM') });
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const sim = await startSimulatorProcess();
  const agent = createProviderAgent({ connections: CONCURRENCY });
  const { fetchState } = createActivities({ config: providerConfigFromEnv(sim.env), dispatcher: agent, logger: { debug: () => {}, warn: () => {} } });
  const rows: string[] = [];
  try {
    for (const provider of PROVIDERS as readonly JourneyProvider[]) {
      // A journey that stays in progress (the last script step repeats).
      const journeyId = `bench-${provider}`;
      const scripted = await fetch(`${sim.url}/__admin/journeys`, { method: 'POST', body: JSON.stringify({ provider, journeyId, script: ['in_progress'] }) });
      if (scripted.status !== 201) throw new Error(`scripting the simulator failed: HTTP ${scripted.status}`);
      for (let i = 0; i < 200; i++) await fetchState({ provider, journeyId }); // warm-up: token, connections, JIT
      const lat: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const t0 = process.hrtime.bigint();
        await fetchState({ provider, journeyId });
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      lat.sort((a, b) => a - b);
      let done = 0;
      const until = Date.now() + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < until) {
            await fetchState({ provider, journeyId });
            done++;
          }
        }),
      );
      rows.push(
        `${provider.padEnd(10)} sequential n=${SEQUENTIAL}: median ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms | ` +
          `concurrency ${CONCURRENCY}: ${(done / SECONDS).toFixed(0)} fetches/s`,
      );
    }
  } finally {
    await agent.close();
    sim.stop();
  }
  console.log(rows.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
