/**
 * The provider simulator in its own process for the bench: no request log, and unnamed journeys stay in
 * progress forever (the scale runs); named ones (`sim-complete-after-N-…`) and the admin API script the rest.
 */
import { startSimulator } from '../dev/simulator';
import { serveRpc } from './rpc';

async function main(): Promise<void> {
  const sim = await startSimulator({ defaultScript: ['in_progress'] });
  const close = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  serveRpc({
    info: () => ({ url: sim.url, providerConfig: sim.providerConfig() }),
    stats: () => sim.stats(),
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
