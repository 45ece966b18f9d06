/**
 * Finds the Temporal server binaries that tests and `npm start` run, on machines with or without internet.
 *
 * Order, for each server: an explicit env var → a cached build in `.temporal-bin/` → build it now when the
 * toolchain is present (Maven for the time-skipping test server, Go for the CLI dev server) → the SDK's own
 * download (needs internet). The first build takes minutes and prints progress; later runs reuse the cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

/** Maven artifact io.temporal:temporal-test-server (the Java SDK's time-skipping server). */
export const TEST_SERVER_VERSION = '1.38.0';
/** Temporal CLI: the newest release that `go install pkg@version` accepts (1.6.0 adds a `replace` directive). */
export const CLI_VERSION = '1.5.1';

const repoRoot = path.resolve(__dirname, '..');
export const binDir = process.env.TEMPORAL_BIN_DIR ?? path.join(repoRoot, '.temporal-bin');

export class ServerUnavailableError extends Error {
  override name = 'ServerUnavailableError';
}

function log(message: string): void {
  process.stderr.write(`[temporal-servers] ${message}\n`);
}

export function has(command: string, ...args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function existingPath(envVar: string): EphemeralServerExecutable | undefined {
  const explicit = process.env[envVar];
  if (!explicit) return undefined;
  if (!existsSync(explicit)) throw new ServerUnavailableError(`${envVar}=${explicit} does not exist`);
  return { type: 'existing-path', path: path.resolve(explicit) };
}

/** Runs a build step with its output streamed to stderr, so a first run on a fresh machine shows progress. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with code ${code}`)),
    );
  });
}

export async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`${what} (first run on this machine only; later runs reuse ${path.relative(process.cwd(), binDir) || binDir})…`);
  const result = await fn();
  log(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Time-skipping test server (Java), from Maven Central.

const testServerDir = path.join(binDir, `temporal-test-server-${TEST_SERVER_VERSION}`);
/**
 * The test server logs through SLF4J 1.7 and ships no binding: without one SLF4J prints three lines of warnings to
 * stderr at every start. slf4j-nop is the binding that says "no logging" on purpose.
 */
const TEST_SERVER_POM = `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>journey-await.local</groupId><artifactId>temporal-test-server-classpath</artifactId><version>2</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`;
const testServerWrapper = path.join(testServerDir, 'temporal-test-server');

function cachedTestServer(): string | undefined {
  const classpathFile = path.join(testServerDir, 'classpath.txt');
  const pomFile = path.join(testServerDir, 'pom.xml');
  if (!existsSync(testServerWrapper) || !existsSync(classpathFile)) return undefined;
  // A cache resolved from another pom (an older version of this file) is resolved again.
  if (!existsSync(pomFile) || readFileSync(pomFile, 'utf8') !== TEST_SERVER_POM) return undefined;
  // The classpath points into ~/.m2; a wiped Maven repository means the cache is stale.
  const jars = readFileSync(classpathFile, 'utf8').trim().split(path.delimiter);
  return jars.every((jar) => existsSync(jar)) ? testServerWrapper : undefined;
}

async function buildTestServer(): Promise<string> {
  const staging = `${testServerDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, 'pom.xml'), TEST_SERVER_POM);
  await timed(`Resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven`, () =>
    run('mvn', ['-B', '-q', '-Dstyle.color=never', 'dependency:build-classpath', '-Dmdep.outputFile=classpath.txt'], {
      cwd: staging,
    }),
  );
  // `exec` so the SDK's kill of the child PID at teardown reaches the JVM itself.
  writeFileSync(
    path.join(staging, 'temporal-test-server'),
    `#!/bin/sh\n# Generated by dev/temporal-servers.ts. Usage: <port> [--enable-time-skipping]\n` +
      `exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$(cat "$(dirname "$0")/classpath.txt")" io.temporal.testserver.TestServer "$@"\n`,
  );
  chmodSync(path.join(staging, 'temporal-test-server'), 0o755);
  rmSync(testServerDir, { recursive: true, force: true });
  renameSync(staging, testServerDir);
  return testServerWrapper;
}

/** The executable for `TestWorkflowEnvironment.createTimeSkipping({ server: { executable } })`. */
export async function timeSkippingServerExecutable(): Promise<EphemeralServerExecutable> {
  const explicit = existingPath('TEMPORAL_TEST_SERVER_PATH');
  if (explicit) return explicit;
  const cached = cachedTestServer();
  if (cached) return { type: 'existing-path', path: cached };
  if (has('java', '-version') && has('mvn', '-v')) {
    try {
      return { type: 'existing-path', path: await buildTestServer() };
    } catch (err) {
      log(`building the test server failed (${(err as Error).message}); falling back to the SDK's download`);
    }
  }
  return { type: 'cached-download' };
}

// ---------------------------------------------------------------------------------------------------------
// Temporal CLI (dev server + Web UI), built from the Go module proxy.

const cliPath = path.join(binDir, `temporal-cli-${CLI_VERSION}`);

async function buildCli(): Promise<string> {
  const staging = path.join(binDir, `go-install.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // GOTOOLCHAIN=auto lets an older local Go fetch the ≥ 1.25 toolchain this CLI version needs from the proxy.
  await timed(`Building the Temporal CLI v${CLI_VERSION} with go install (a few minutes)`, () =>
    run('go', ['install', '-v', `github.com/temporalio/cli/cmd/temporal@v${CLI_VERSION}`], {
      cwd: staging,
      env: {
        ...process.env,
        GOBIN: staging,
        GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
        GOFLAGS: '-buildvcs=false',
      },
    }),
  );
  renameSync(path.join(staging, 'temporal'), cliPath);
  rmSync(staging, { recursive: true, force: true });
  return cliPath;
}

/** Path to a `temporal` CLI binary, or undefined when only the SDK's download can provide one. */
export async function temporalCliPath(): Promise<string | undefined> {
  const explicit = existingPath('TEMPORAL_CLI_PATH');
  if (explicit?.type === 'existing-path') return explicit.path;
  if (existsSync(cliPath)) return cliPath;
  if (has('go', 'version')) {
    try {
      return await buildCli();
    } catch (err) {
      log(`building the Temporal CLI failed (${(err as Error).message}); falling back to the SDK's download`);
    }
  }
  return undefined;
}

/** The executable for `TestWorkflowEnvironment.createLocal({ server: { executable } })`. */
export async function devServerExecutable(): Promise<EphemeralServerExecutable> {
  const cli = await temporalCliPath();
  return cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' };
}

export const INSTALL_HINT =
  'Temporal servers are unavailable: without internet access the project builds them itself. ' +
  'Install Java 17+ and Maven (time-skipping test server) and Go >= 1.25 (dev server and Web UI), ' +
  'or point TEMPORAL_TEST_SERVER_PATH / TEMPORAL_CLI_PATH at binaries you already have.';

/**
 * Starts a server with `start`, retrying a cold start (the SDK gives a server only 5 s to accept connections),
 * and turns a final failure into one message saying what to install.
 */
export async function withStartRetries<T>(
  executable: EphemeralServerExecutable,
  start: () => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt < attempts) {
        log(`server start attempt ${attempt} failed (${(err as Error).message.split('\n')[0]}); retrying`);
        continue;
      }
      if (executable.type === 'cached-download') {
        throw new ServerUnavailableError(`${INSTALL_HINT} (last error: ${(err as Error).message})`);
      }
      throw err;
    }
  }
}
