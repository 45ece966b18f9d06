/**
 * The Temporal server and its SQL tool, built from the `go.temporal.io/server` module (the version of
 * docker-compose's images) into the git-ignored `.temporal-bin/temporal-server-<version>/`. Both carry what they
 * need: the server its config template (filled in from the environment, as in the temporalio/server image), the SQL
 * tool the schema it migrates to. The first build takes minutes and prints progress; later runs reuse the folder.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { binDir, has, run, ServerUnavailableError, timed } from '../temporal-servers';
import { TEMPORAL_SERVER_VERSION } from './settings';

const MODULE = 'go.temporal.io/server';

export interface ServerBuild {
  dir: string;
  server: string;
  sqlTool: string;
}

export const serverBuildDir = path.join(binDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);

function layout(dir: string): ServerBuild {
  return { dir, server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool') };
}

function complete(build: ServerBuild): boolean {
  return [build.server, build.sqlTool].every((p) => existsSync(p));
}

async function build(): Promise<ServerBuild> {
  const staging = `${serverBuildDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // GOTOOLCHAIN=auto lets an older local Go fetch the toolchain the module asks for (go 1.26.8) from the proxy.
  const env = {
    ...process.env,
    GOBIN: staging,
    GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
    GOFLAGS: '-buildvcs=false',
  };
  await timed(
    `Building the Temporal server v${TEMPORAL_SERVER_VERSION} and its SQL tool with go install (several minutes)`,
    () => {
      const install = [
        'go',
        'install',
        '-v',
        `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
        `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
      ];
      // Minutes of both cores: niced, so tests and servers running beside it keep their pace.
      const [command, ...args] = has('nice', '--version') ? ['nice', '-n', '10', ...install] : install;
      return run(command!, args, { cwd: staging, env });
    },
  );
  renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
  renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
  // Another process may have finished the same build meanwhile: keep the first.
  if (complete(layout(serverBuildDir))) rmSync(staging, { recursive: true, force: true });
  else {
    rmSync(serverBuildDir, { recursive: true, force: true });
    renameSync(staging, serverBuildDir);
  }
  return layout(serverBuildDir);
}

/** The cached build, or a new one (needs Go ≥ 1.26.8 or GOTOOLCHAIN=auto and the Go module proxy). */
export async function temporalServerBuild(): Promise<ServerBuild> {
  const cached = layout(serverBuildDir);
  if (complete(cached)) return cached;
  if (!has('go', 'version')) {
    throw new ServerUnavailableError(
      `the Temporal server v${TEMPORAL_SERVER_VERSION} is not built in ${serverBuildDir} and Go is not installed to build it (install Go >= 1.26.8)`,
    );
  }
  return build();
}
