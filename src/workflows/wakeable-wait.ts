/**
 * A wait between polls that a signal handler can end early. It issues exactly the commands
 * `condition(fn, timeout)` does (a timer, cancelled only when woken), but a timer that simply fires costs no
 * cancellation: condition() cancels its scope on every return, which builds a CancelledFailure (a stack trace
 * in the workflow sandbox) on every poll of every journey.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

export class WakeableWait {
  #scope: CancellationScope | undefined;

  /**
   * Ends the current wait; its timer is cancelled unless it fires in the same workflow task (scope cancellation
   * runs after the task's jobs). Does nothing when no wait runs.
   */
  wake(): void {
    this.#scope?.cancel();
  }

  /** Sleeps `ms` (a timer labelled `summary`) unless woken first. Cancelling the workflow itself still throws. */
  async sleep(ms: number, summary: string): Promise<void> {
    const scope = new CancellationScope();
    this.#scope = scope;
    try {
      await scope.run(() => sleep(ms, { summary }));
    } catch (err) {
      if (!isCancellation(err) || CancellationScope.current().consideredCancelled) throw err;
    } finally {
      this.#scope = undefined;
    }
  }
}
