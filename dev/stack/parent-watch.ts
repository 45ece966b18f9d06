/**
 * Noticing that the process which started this one has gone. `npm start` and `npm run cluster` run under `sh -c`:
 * a SIGTERM to npm ends npm and that shell without passing it on, so the processes they started would run on.
 */

/** Calls `onOrphaned` once, when this process's parent has exited (it is then re-parented). */
export function watchParent(onOrphaned: () => void, everyMs = 500): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, everyMs);
  return timer.unref();
}
