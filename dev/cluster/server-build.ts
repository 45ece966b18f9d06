/**
 * The Temporal server and its SQL tool, built from the `go.temporal.io/server` module (the version of
 * docker-compose's image) into the git-ignored `.temporal-bin/temporal-server-<version>/`, next to the files the
 * auto-setup image carries: the PostgreSQL schema and the server's docker config template. The first build takes
 * minutes and prints progress; later runs reuse the folder.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { binDir, has, run, ServerUnavailableError, timed } from '../temporal-servers';
import { SCHEMA_DIR, TEMPORAL_SERVER_VERSION } from './settings';

const MODULE = 'go.temporal.io/server';

export interface ServerBuild {
  dir: string;
  server: string;
  sqlTool: string;
  /** The module's config/docker.yaml: a template filled in from the environment. */
  configTemplate: string;
  dynamicConfig: string;
  /** Holds `schema/postgresql/v12/…` as in the module. */
  schemaRoot: string;
}

export const serverBuildDir = path.join(binDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);

function layout(dir: string): ServerBuild {
  return {
    dir,
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    configTemplate: path.join(dir, 'config', 'docker.yaml'),
    dynamicConfig: path.join(dir, 'config', 'dynamicconfig', 'docker.yaml'),
    schemaRoot: dir,
  };
}

function complete(build: ServerBuild): boolean {
  return [
    build.server,
    build.sqlTool,
    build.configTemplate,
    build.dynamicConfig,
    path.join(build.schemaRoot, SCHEMA_DIR),
  ].every((p) => existsSync(p));
}

/** Files copied out of the Go module cache are read-only; make the copy removable by its owner. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

async function build(): Promise<ServerBuild> {
  const staging = `${serverBuildDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // GOTOOLCHAIN=auto lets an older local Go fetch the toolchain the module asks for (go 1.25) from the proxy.
  const env = {
    ...process.env,
    GOBIN: staging,
    GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
    GOFLAGS: '-buildvcs=false',
  };
  await timed(
    `Building the Temporal server v${TEMPORAL_SERVER_VERSION} and its SQL tool with go install (several minutes)`,
    () =>
      run(
        'go',
        [
          'install',
          '-v',
          `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
          `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
        ],
        { cwd: staging, env },
      ),
  );
  const moduleDir = (
    JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
        cwd: staging,
        env,
        encoding: 'utf8',
      }),
    ) as { Dir: string }
  ).Dir;
  renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
  renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
  for (const part of [SCHEMA_DIR, 'config/docker.yaml', 'config/dynamicconfig/docker.yaml']) {
    cpSync(path.join(moduleDir, part), path.join(staging, part), { recursive: true });
  }
  makeWritable(path.join(staging, 'schema'));
  makeWritable(path.join(staging, 'config'));
  // Another process may have finished the same build meanwhile: keep the first.
  if (complete(layout(serverBuildDir))) rmSync(staging, { recursive: true, force: true });
  else {
    rmSync(serverBuildDir, { recursive: true, force: true });
    renameSync(staging, serverBuildDir);
  }
  return layout(serverBuildDir);
}

/** The cached build, or a new one (needs Go ≥ 1.25 or GOTOOLCHAIN=auto and the Go module proxy). */
export async function temporalServerBuild(): Promise<ServerBuild> {
  const cached = layout(serverBuildDir);
  if (complete(cached)) return cached;
  if (!has('go', 'version')) {
    throw new ServerUnavailableError(
      `the Temporal server v${TEMPORAL_SERVER_VERSION} is not built in ${serverBuildDir} and Go is not installed to build it (install Go >= 1.25)`,
    );
  }
  return build();
}
