/**
 * A real Temporal server process (all four services in one process, as in the auto-setup image) on PostgreSQL:
 * the schema created with Temporal's own SQL tool and schema files, the server configured by its own docker
 * config template from the environment in ./settings.ts. Stop and start again keep ports and data, so a test can
 * take the server away mid-run and bring it back.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ServerBuild } from './server-build';
import { DATABASES, DB_PLUGIN, serverEnvironment, type ServerPorts } from './settings';

const execFileAsync = promisify(execFile);

export interface Database {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** What auto-setup does before it starts the server: create both databases and migrate them to the newest schema. */
export async function setUpSchema(build: ServerBuild, db: Database): Promise<void> {
  for (const { name, schema } of DATABASES) {
    const env = {
      ...process.env,
      SQL_PLUGIN: DB_PLUGIN,
      SQL_HOST: db.host,
      SQL_PORT: String(db.port),
      SQL_USER: db.user,
      SQL_PASSWORD: db.password,
      SQL_DATABASE: name,
    };
    for (const args of [
      ['create-database'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '-d', path.join(build.schemaRoot, schema)],
    ]) {
      try {
        await execFileAsync(build.sqlTool, args, { env });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(
          `temporal-sql-tool ${args[0]} (${name}) failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}`,
        );
      }
    }
  }
}

export interface TemporalServerOptions {
  build: ServerBuild;
  db: Database;
  ports: ServerPorts;
  /** Config and log folder. */
  dir: string;
}

export interface TemporalServerProcess {
  address: string;
  logFile: string;
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** Why the process is gone (exit code or signal, and the log's last error), while it should be running. */
  exitReason(): string | undefined;
  /** SIGTERM (graceful), or SIGKILL when `kill` is true; resolves when the process has exited. */
  stop(opts?: { kill?: boolean }): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export function temporalServer({ build, db, ports, dir }: TemporalServerOptions): TemporalServerProcess {
  const configDir = path.join(dir, 'config');
  mkdirSync(path.join(configDir, 'dynamicconfig'), { recursive: true });
  cpSync(build.configTemplate, path.join(configDir, 'docker.yaml'));
  const dynamicConfig = path.join(configDir, 'dynamicconfig', 'docker.yaml');
  cpSync(build.dynamicConfig, dynamicConfig);
  const env = { ...process.env, ...serverEnvironment(db, ports), DYNAMIC_CONFIG_FILE_PATH: dynamicConfig };
  const logFile = path.join(dir, 'temporal-server.log');
  let child: ChildProcess | undefined;
  let stopping = false;

  return {
    address: `127.0.0.1:${ports.frontendGrpc}`,
    logFile,
    get pid() {
      return child?.pid;
    },
    exitReason() {
      if (!child || stopping || (child.exitCode === null && child.signalCode === null)) return undefined;
      const lines = readFileSync(logFile, 'utf8').trim().split('\n');
      const lastError = lines.reverse().find((line) => /"level":"(fatal|error)"/.test(line));
      const message = lastError ? (JSON.parse(lastError) as { msg?: string; error?: string }) : undefined;
      return `the Temporal server exited (${child.signalCode ?? `code ${child.exitCode}`})${message ? `: ${message.msg} ${message.error ?? ''}` : ''} (log: ${logFile})`;
    },
    async start() {
      stopping = false;
      if (child && child.exitCode === null && child.signalCode === null)
        throw new Error('the Temporal server is already running');
      const log = openSync(logFile, 'a');
      child = spawn(
        build.server,
        ['--root', dir, '--config', 'config', '--env', 'docker', '--allow-no-auth', 'start'],
        { env, stdio: ['ignore', log, log] },
      );
      closeSync(log);
      await new Promise<void>((resolve, reject) => child!.once('spawn', resolve).once('error', reject));
    },
    async stop({ kill = false } = {}) {
      if (!child) return;
      stopping = true;
      const running = child;
      const done = exited(running);
      running.kill(kill ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 30_000);
      await done;
      clearTimeout(timer);
    },
  };
}
