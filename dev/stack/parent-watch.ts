/**
 * Noticing that the process which started this one has gone. The npm scripts exec their process, so a SIGTERM to
 * npm reaches it; but a parent that dies without passing a signal on (npm SIGKILLed, a wrapper shell that does not
 * exec) would leave `npm start`'s or `npm run cluster`'s processes running on.
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
