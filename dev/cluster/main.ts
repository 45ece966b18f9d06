/**
 * `npm run cluster`: a throwaway PostgreSQL-backed Temporal server (see cluster.ts) until Ctrl-C. Prints the
 * TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE that point a worker, the webhook receiver or the CLI at it.
 */
import { watchParent } from '../stack/parent-watch';
import { startCluster } from './cluster';

async function main(): Promise<void> {
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  // A Ctrl-C during start-up stops the cluster as soon as it is up (PostgreSQL runs detached until stopped).
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const parentWatch = watchParent(onSignal);
  const cluster = await startCluster();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void cluster.stop().then(() => process.exit(0));
  };
  if (interrupted) return stop();
  clearInterval(parentWatch);
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal).once('SIGINT', stop).once('SIGTERM', stop);
  watchParent(stop); // the parent died without passing a signal on
  console.log(`TEMPORAL_ADDRESS=${cluster.address}`);
  console.log(`TEMPORAL_NAMESPACE=${cluster.namespace}`);
  console.log(`logs: ${cluster.dir}/temporal-server.log, ${cluster.dir}/postgres/postgres.log (removed on exit)`);
  console.log(`stop: Ctrl-C (or kill ${process.pid})`);
}

main().catch((err) => {
  console.error(`cluster: ${(err as Error).message}`);
  process.exit(1);
});
