import { createServer } from 'node:net';

function listen(port: number): Promise<ReturnType<typeof createServer> | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Ports the OS says are free right now: the stack's defaults may be taken by a running `npm start` or other tests. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listen(0)));
  const ports = servers.map((s) => (s!.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s!.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * Free ports below the OS's ephemeral range (32768+), for a server that stores its port in a 16-bit signed column
 * (Temporal's cluster_membership.rpc_port is a PostgreSQL smallint).
 */
export async function freeLowPorts(count: number, min = 20_000, max = 32_767): Promise<number[]> {
  const held: ReturnType<typeof createServer>[] = [];
  for (let attempt = 0; held.length < count; attempt++) {
    if (attempt > 1_000) throw new Error(`no ${count} free ports between ${min} and ${max}`);
    const server = await listen(min + Math.floor(Math.random() * (max - min + 1)));
    if (server) held.push(server);
  }
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
