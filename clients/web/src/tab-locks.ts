/** Runs a poll only if no other tab is running one for the same generation right now. */
export interface TabLocks {
  /**
   * Runs `run` holding the lock named `name` if nobody holds it; `{ ran: false }` at once otherwise
   * (nothing waits). `steal` takes the lock from a holder that has hung (a page frozen mid-poll).
   */
  tryExclusive<T>(name: string, run: () => Promise<T>, steal?: boolean): Promise<{ ran: true; value: T } | { ran: false }>;
}

/**
 * Web Locks (navigator.locks), shared by every tab and worker of the origin. They need a secure
 * context (https, or http on localhost); elsewhere {@link inTabLocks} stands in, and tabs then only
 * avoid each other through the poll time they share in localStorage.
 */
export function browserTabLocks(): TabLocks {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) {
    return inTabLocks();
  }

  return {
    async tryExclusive<T>(name: string, run: () => Promise<T>, steal = false) {
      let outcome: { ran: true; value: T } | { ran: false } = { ran: false };
      await locks.request(name, steal ? { steal: true } : { ifAvailable: true }, async (lock) => {
        if (lock) {
          outcome = { ran: true, value: await run() };
        }
      });
      return outcome;
    },
  };
}

/** Locks that only this page sees. */
export function inTabLocks(): TabLocks {
  const held = new Set<string>();
  return {
    async tryExclusive(name, run, steal = false) {
      if (held.has(name) && !steal) {
        return { ran: false };
      }

      held.add(name);
      try {
        return { ran: true, value: await run() };
      } finally {
        held.delete(name);
      }
    },
  };
}
