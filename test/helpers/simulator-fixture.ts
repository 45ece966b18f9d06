/** Suites that talk HTTP to the provider simulator share its lifecycle: one per file, reset before each test. */
import type { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createProviderAgent } from '../../src/activities';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../dev/simulator';

export interface SimulatorFixture {
  /** The running simulator; started in `beforeAll`, so read it in hooks and tests only. */
  readonly sim: Simulator;
  /** The HTTP agent the suite's activities dispatch through, closed with the simulator. */
  readonly agent: Agent;
}

/** Registers the hooks that start, reset and close a simulator (and its agent) for the calling test file. */
export function useSimulator(
  options: { simulator?: SimulatorOptions; agent?: Parameters<typeof createProviderAgent>[0] } = {},
): SimulatorFixture {
  let started: Simulator | undefined;
  const fixture: SimulatorFixture = {
    get sim() {
      if (!started) throw new Error('the simulator starts in beforeAll: read it in hooks and tests only');
      return started;
    },
    agent: createProviderAgent(options.agent),
  };
  beforeAll(async () => {
    started = await startSimulator(options.simulator);
  });
  afterAll(async () => {
    await started?.close();
    await fixture.agent.close();
  });
  beforeEach(() => fixture.sim.reset());
  return fixture;
}
