/**
 * A throwaway PostgreSQL cluster from the machine's own PostgreSQL server binaries (Debian's `postgresql`
 * package: /usr/lib/postgresql/<major>/bin): initdb in a given folder, TCP on 127.0.0.1 only, its unix socket in
 * the same folder. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class PostgresUnavailableError extends Error {
  override name = 'PostgresUnavailableError';
}

export interface PostgresOptions {
  /** An empty folder; the cluster's data, socket and log go in it. */
  dir: string;
  port: number;
  user: string;
  password: string;
}

export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  logFile: string;
  stop(): Promise<void>;
}

/** POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const explicit = process.env.POSTGRES_BIN_DIR;
  if (explicit) {
    if (!existsSync(path.join(explicit, 'initdb')))
      throw new PostgresUnavailableError(`POSTGRES_BIN_DIR=${explicit} has no initdb`);
    return explicit;
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = majors.map((v) => path.join(root, v, 'bin')).find((dir) => existsSync(path.join(dir, 'initdb')));
  if (!found) {
    throw new PostgresUnavailableError(
      'PostgreSQL server binaries not found (no /usr/lib/postgresql/<major>/bin/initdb): install them (Debian/Ubuntu: apt-get install postgresql) or set POSTGRES_BIN_DIR',
    );
  }
  return found;
}

interface RunAs {
  uid: number;
  gid: number;
  wrap(command: string, args: string[]): [string, string[]];
}

async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0)
    return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, wrap: (c, a) => [c, a] };
  const id = async (flag: string) => Number((await execFileAsync('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g'), wrap: (c, a) => ['runuser', ['-u', 'postgres', '--', c, ...a]] };
  } catch {
    throw new PostgresUnavailableError(
      'running as root, but there is no `postgres` user to run PostgreSQL as (the postgresql package creates it)',
    );
  }
}

export async function startPostgres({ dir, port, user, password }: PostgresOptions): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const as = await runAs();
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const pwFile = path.join(dir, 'pwfile');
  mkdirSync(dir, { recursive: true });
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  writeFileSync(logFile, '');
  // The parent folders must be traversable by the postgres user; the cluster's own folder belongs to it.
  chmodSync(path.dirname(dir), 0o755);
  for (const p of [dir, pwFile, logFile]) chownSync(p, as.uid, as.gid);

  const exec = async (tool: string, args: string[]) => {
    const [command, argv] = as.wrap(path.join(bin, tool), args);
    try {
      await execFileAsync(command, argv, { cwd: dir });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new PostgresUnavailableError(
        `${tool} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')} (log: ${logFile})`,
      );
    }
  };
  await exec('initdb', [
    '-D',
    dataDir,
    '-U',
    user,
    `--pwfile=${pwFile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  await exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    logFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
  };
}
