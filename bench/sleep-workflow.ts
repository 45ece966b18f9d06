/**
 * The dev server's ceiling: a workflow that only sleeps in a loop (one timer and one workflow task per cycle,
 * no activity). Each wake-up reports the workflow's clock through a sink, which adds nothing to history.
 */
import { proxySinks, sleep, type Sinks } from '@temporalio/workflow';

export interface BenchSinks extends Sinks {
  bench: { tick(workflowTimeMs: number): void };
}

const { bench } = proxySinks<BenchSinks>();

export async function sleepLoop(intervalMs: number): Promise<void> {
  bench.tick(Date.now());
  for (;;) {
    await sleep(intervalMs);
    bench.tick(Date.now());
  }
}
