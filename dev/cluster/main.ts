/**
 * `npm run cluster`: a throwaway PostgreSQL-backed Temporal server (see cluster.ts) until Ctrl-C. Prints the
 * TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE that point a worker, the webhook receiver or the CLI at it.
 */
import { startCluster } from './cluster';

async function main(): Promise<void> {
  const cluster = await startCluster();
  console.log(`TEMPORAL_ADDRESS=${cluster.address}`);
  console.log(`TEMPORAL_NAMESPACE=${cluster.namespace}`);
  console.log(`logs: ${cluster.dir}/temporal-server.log, ${cluster.dir}/postgres/postgres.log (removed on exit)`);
  const stop = () => {
    void cluster.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`cluster: ${(err as Error).message}`);
  process.exit(1);
});
