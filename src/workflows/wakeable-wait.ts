/**
 * A wait between polls that a signal handler can end early. It issues exactly the commands
 * `condition(fn, timeout)` does (a timer, cancelled only when woken), with fewer promises: the SDK records a stack
 * trace for every promise created in workflow code. condition() builds a new cancellation scope per call and
 * cancels it on every return (a CancelledFailure each time); this wait reuses one scope until a wake-up cancels
 * it, and a timer that simply fires cancels nothing (13 workflow promises per poll, 17 with a scope per wait).
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

export class WakeableWait {
  /** Holds the waits' timers; replaced after each wake-up. Operations outside a wait (the fetch) are not in it. */
  #scope: CancellationScope | undefined;

  /**
   * Ends the current wait; its timer is cancelled unless it fires in the same workflow task (scope cancellation
   * runs after the task's jobs). Without a wait in progress it only drops the idle scope: no command.
   */
  wake(): void {
    const scope = this.#scope;
    this.#scope = undefined;
    scope?.cancel();
  }

  /** Sleeps `ms` (a timer labelled `summary`) unless woken first. Cancelling the workflow itself still throws. */
  sleep(ms: number, summary: string): Promise<void> {
    this.#scope ??= new CancellationScope();
    return this.#scope.run(() => sleep(ms, { summary })).catch(rethrowUnlessWoken);
  }
}

/** Runs in the caller's scope: a cancelled workflow (not a wake-up) is still a cancellation there. */
function rethrowUnlessWoken(err: unknown): void {
  if (!isCancellation(err) || CancellationScope.current().consideredCancelled) throw err;
}
