/**
 * `npm run cluster`: a throwaway PostgreSQL-backed Temporal server (see cluster.ts) until Ctrl-C. Prints the
 * TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE that point a worker, the webhook receiver or the CLI at it.
 */
import { startCluster } from './cluster';

async function main(): Promise<void> {
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  // A Ctrl-C during start-up stops the cluster as soon as it is up (PostgreSQL runs detached until stopped).
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const cluster = await startCluster();
  const stop = () => {
    void cluster.stop().then(() => process.exit(0));
  };
  if (interrupted) return stop();
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal).once('SIGINT', stop).once('SIGTERM', stop);
  console.log(`TEMPORAL_ADDRESS=${cluster.address}`);
  console.log(`TEMPORAL_NAMESPACE=${cluster.namespace}`);
  console.log(`logs: ${cluster.dir}/temporal-server.log, ${cluster.dir}/postgres/postgres.log (removed on exit)`);
}

main().catch((err) => {
  console.error(`cluster: ${(err as Error).message}`);
  process.exit(1);
});
