/**
 * The embedded Temporal dev server `npm start` runs when no TEMPORAL_ADDRESS is set: SQLite on disk so
 * journeys survive a restart, the Web UI on, our search attributes registered, the UI pointed at the codec server.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { journeySearchAttributeKeys } from '../../src/shared';
import { devServerExecutable, withStartRetries } from '../temporal-servers';

export interface EmbeddedTemporalOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** The Web UI decodes payloads through this URL (the codec server, token in the path). */
  codecEndpoint?: string;
}

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedTemporal({ dataDir, port, uiPort, codecEndpoint }: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  mkdirSync(dataDir, { recursive: true });
  const executable = await devServerExecutable();
  const env = await withStartRetries(executable, () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable,
        ip: '127.0.0.1',
        port,
        ui: true,
        uiPort,
        dbFilename: path.join(dataDir, 'temporal.sqlite'),
        searchAttributes: journeySearchAttributeKeys,
        extraArgs: codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : [],
      },
    }),
  );
  return { address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}`, stop: () => env.teardown() };
}
