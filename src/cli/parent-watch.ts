// Notices that the process that started this one has gone, for the parents that die without passing a
// signal on. `npm start` forwards SIGINT and SIGTERM to the server, but npm itself dies of SIGHUP or
// SIGKILL without telling its child, which the kernel then hands to init (or a subreaper): the server's
// parent pid changes. Linux's PR_SET_PDEATHSIG is not reachable from Node, and npm opens no IPC channel
// or stdin pipe to its scripts that could close, so the parent pid is read once a second (one getppid()
// call, on an unref'd timer that never keeps the process alive).

export interface ParentWatch {
  /** The parent pid this process started with. */
  parentPid: number;
  stop(): void;
}

/** Calls `onGone` once, within `intervalMs` of the parent's death. Default interval: 1000 ms. */
export function watchParent(onGone: () => void, intervalMs = 1000): ParentWatch {
  const parentPid = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return { parentPid, stop: () => clearInterval(timer) };
}
