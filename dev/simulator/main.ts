/**
 * `npm run simulator`: the provider simulator alone. SIMULATOR_PORT (default 4010), SIMULATOR_HOST (127.0.0.1).
 * Prints the GBG_* / IDNOW_* settings that point a worker at it.
 */
import { startSimulator } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 4010);
  const sim = await startSimulator({
    port,
    host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
    log: (line) => console.log(line),
  });
  console.log(`provider simulator listening on ${sim.url}`);
  console.log('point a worker at it with:');
  for (const [k, v] of Object.entries(sim.env())) {
    console.log(`  ${k}=${v}`);
  }
  console.log(
    'script a journey: curl -XPOST %s/__admin/journeys -d \'{"provider":"idnow","journeyId":"0197c55f-5af6-7e3d-af9b-f2359b134be8","script":["in_progress x3","503 x2","completed"]}\'',
    sim.url,
  );
  console.log(
    'or name it (16–64 characters, like GBG instance ids): sim-complete-after-3-<anything>, sim-errors-2-then-complete-…, sim-http-404-…, sim-ratelimit-20-…, sim-slow-40-…',
  );
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
