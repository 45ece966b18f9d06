import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Below Linux's default ephemeral range (32768–60999). A port picked there can be taken by any outgoing
// connection (or any `listen(0)`) between picking it and the child process binding it; below it, only another
// explicit pick can. It also fits Temporal's cluster_membership.rpc_port, a PostgreSQL smallint.
const MIN_PORT = 20_000;
const MAX_PORT = 32_767;

// Another explicit pick is made impossible too: each pick is reserved machine-wide (test files run in parallel,
// other checkouts run theirs) by creating a file named after the port, exclusively, so no other picker hands out
// the same port before the child has bound it. A reservation this old has been bound long ago, or abandoned.
const RESERVATIONS_DIR = path.join(tmpdir(), 'journey-await-port-picks');
const RESERVATION_MS = 10 * 60_000;

/** True when this process now holds the port's reservation. */
function reserve(port: number): boolean {
  const file = path.join(RESERVATIONS_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch {
      try {
        if (Date.now() - statSync(file).mtimeMs < RESERVATION_MS) return false;
        rmSync(file, { force: true });
      } catch {
        // Reclaimed by another picker meanwhile: try creating it once more.
      }
    }
  }
  return false;
}

function listen(port: number): Promise<ReturnType<typeof createServer> | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Distinct ports that are free right now, for processes that bind them a moment later. */
export async function freePorts(count: number): Promise<number[]> {
  mkdirSync(RESERVATIONS_DIR, { recursive: true });
  const held: ReturnType<typeof createServer>[] = [];
  for (let attempt = 0; held.length < count; attempt++) {
    if (attempt > 1_000) throw new Error(`no ${count} free ports between ${MIN_PORT} and ${MAX_PORT}`);
    const port = MIN_PORT + Math.floor(Math.random() * (MAX_PORT - MIN_PORT + 1));
    const server = await listen(port);
    if (!server) continue;
    if (reserve(port)) held.push(server);
    else server.close();
  }
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
