// The polls waiting for a node's messages in this process, and their wake-up. A delivery use case holds a
// poll here while nothing is queued for its node; whoever queued a message wakes the node's polls once
// the change that queued it has committed (the effects a command's change returns), never from inside
// the transaction, where a poll woken on PostgreSQL would look before the commit and find nothing.
// Another replica's queueing wakes nobody here: a held poll looks at the store again on its own timer.

import type { Scope } from '../domain/model.ts';

/** What a committed change asks of this process: wake the polls of a node a message now waits for. */
export interface PollWake {
  kind: 'wake-polls';
  scope: Scope;
  instanceId: string;
}

export class PollWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Wakes every poll of the node now waiting (each looks at the store again). */
  wake(scope: Scope, nodeId: string): void {
    const set = this.waiting.get(key(scope, nodeId));
    if (set) for (const done of [...set]) done();
  }

  /** Resolves when the node's polls are woken, or after `ms` (real time), whichever comes first. */
  wait(scope: Scope, nodeId: string, ms: number): Promise<void> {
    const k = key(scope, nodeId);
    return new Promise((resolve) => {
      let set = this.waiting.get(k);
      if (!set) this.waiting.set(k, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiting.get(k) === waiters) this.waiting.delete(k);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  /** How many polls wait (tests, metrics). */
  size(): number {
    let count = 0;
    for (const set of this.waiting.values()) count += set.size;
    return count;
  }
}

function key(scope: Scope, nodeId: string): string {
  return `${scope.account}|${scope.region}|${nodeId}`;
}
