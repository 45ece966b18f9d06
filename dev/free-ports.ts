import { createServer } from 'node:net';

// Below Linux's default ephemeral range (32768–60999). A port picked there can be taken by any outgoing
// connection (or any `listen(0)`) between picking it and the child process binding it; below it, only another
// explicit pick can. It also fits Temporal's cluster_membership.rpc_port, a PostgreSQL smallint.
const MIN_PORT = 20_000;
const MAX_PORT = 32_767;

function listen(port: number): Promise<ReturnType<typeof createServer> | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Distinct ports that are free right now, for processes that bind them a moment later. */
export async function freePorts(count: number): Promise<number[]> {
  const held: ReturnType<typeof createServer>[] = [];
  for (let attempt = 0; held.length < count; attempt++) {
    if (attempt > 1_000) throw new Error(`no ${count} free ports between ${MIN_PORT} and ${MAX_PORT}`);
    const server = await listen(MIN_PORT + Math.floor(Math.random() * (MAX_PORT - MIN_PORT + 1)));
    if (server) held.push(server);
  }
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
