// An engine replica's name in leases: `<host>:<pid>:<random>`. The name lets a starting process recognise
// leases left by a process of the same host that is gone (killed with SIGKILL, crashed): those are taken
// back at once, instead of after the lease runs out on the wall clock, which on the manual clock would leave
// a restarted service ignoring clock moves for its executions (issue 11). Leases of other hosts, or of live
// processes, are left to expire as before.

export interface ReplicaIdentity {
  host: string;
  pid: number;
  /** Tells two processes apart when a pid is reused (a container restart often gets the same pid). */
  nonce: string;
}

export function replicaName(identity: ReplicaIdentity): string {
  return `${identity.host}:${identity.pid}:${identity.nonce}`;
}

function parseReplicaName(name: string): ReplicaIdentity | undefined {
  const match = /^(.*):(\d+):([0-9a-f]+)$/.exec(name);
  return match ? { host: match[1], pid: Number(match[2]), nonce: match[3] } : undefined;
}

/**
 * Is `owner` a replica of this host that no longer runs? Its pid is not alive, or is this process's own
 * pid under another nonce (an earlier life of this process's pid).
 */
export function isDeadLocalReplica(owner: string, self: ReplicaIdentity, isAlive: (pid: number) => boolean): boolean {
  const other = parseReplicaName(owner);
  if (!other || other.host !== self.host) return false;
  if (other.pid === self.pid) return other.nonce !== self.nonce;
  return !isAlive(other.pid);
}

/** process.kill(pid, 0) checks existence without sending anything; EPERM means it exists (another user's). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
