/**
 * A real Temporal server process (all four services in one process, as in the temporalio/server image) on
 * PostgreSQL: the schema set up by Temporal's own SQL tool with the steps docker-compose's schema service runs, the
 * server configured by its embedded config template from the environment in ./settings.ts. Stop and start again keep ports and data, so a test can
 * take the server away mid-run and bring it back.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ServerBuild } from './server-build';
import {
  DATABASES,
  DB_PLUGIN,
  DYNAMIC_CONFIG_FILE,
  schemaSteps,
  serverEnvironment,
  type ServerPorts,
} from './settings';

const execFileAsync = promisify(execFile);

export interface Database {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** What docker-compose's schema service does before the server starts: ./settings.ts's steps, for both databases. */
export async function setUpSchema(build: ServerBuild, db: Database): Promise<void> {
  // The password from the environment, as in compose (not on a command line).
  const env = { ...process.env, SQL_PASSWORD: db.password };
  const connection = ['--plugin', DB_PLUGIN, '--ep', db.host, '-p', String(db.port), '-u', db.user];
  for (const database of DATABASES) {
    for (const step of schemaSteps(database)) {
      try {
        await execFileAsync(build.sqlTool, [...connection, ...step], { env });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(
          `temporal-sql-tool ${step.slice(2).join(' ')} (${database.name}) failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}`,
        );
      }
    }
  }
}

export interface TemporalServerOptions {
  build: ServerBuild;
  db: Database;
  ports: ServerPorts;
  /** Log folder (and the server's working directory). */
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
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, ...serverEnvironment(db, ports), DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE };
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
      // No config flags: the embedded template, filled in from the environment, as the temporalio/server image does.
      child = spawn(build.server, ['start'], { cwd: dir, env, stdio: ['ignore', log, log] });
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
