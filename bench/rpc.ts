/**
 * A tiny request/reply protocol over Node's IPC channel, so the bench can drive the worker and the simulator
 * in their own processes (their CPU and memory are then theirs alone).
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  op: string;
  args?: unknown;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type Handlers = Record<string, (args: never) => unknown>;

/** Child side: answer requests with `handlers`; `ready` is sent once the handlers are installed. */
export function serveRpc(handlers: Handlers): void {
  if (!process.send) throw new Error('this module runs as a child process of bench/main.ts');
  process.on('message', (msg: Request) => {
    const handler = handlers[msg.op] as ((args: unknown) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown op ${msg.op}`);
        return handler(msg.args);
      })
      .then(
        (result) => process.send!({ id: msg.id, ok: true, result } satisfies Reply),
        (err: unknown) =>
          process.send!({
            id: msg.id,
            ok: false,
            error: err instanceof Error ? (err.stack ?? err.message) : String(err),
          } satisfies Reply),
      );
  });
  // The parent going away (Ctrl-C, crash) ends the child too.
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, ok: true, result: 'ready' } satisfies Reply);
}

export interface RpcChild {
  pid: number;
  call<T>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Parent side: fork `modulePath` (a .ts module under tsx, a .cjs entry as it is) and wait for its `ready`. */
export async function forkRpc(name: string, modulePath: string, startTimeoutMs = 60_000): Promise<RpcChild> {
  const child: ChildProcess = fork(modulePath, [], {
    execArgv: modulePath.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited: string | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${startTimeoutMs / 1000} s`)),
      startTimeoutMs,
    );
    child.on('message', (msg: Reply) => {
      if (msg.id === 0) {
        clearTimeout(timer);
        resolve();
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${name}: ${msg.error}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      exited = `${name} exited (code ${code}, signal ${signal})`;
      reject(new Error(exited));
      for (const p of pending.values()) p.reject(new Error(exited));
      pending.clear();
    });
  });
  await ready;

  return {
    pid: child.pid!,
    call<T>(op: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(exited));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${op} timed out after ${timeoutMs / 1000} s`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, op, args } satisfies Request);
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
