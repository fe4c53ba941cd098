/** How long to wait after failures: doubling from 1 s up to a cap, with ±20% jitter so phones waking together spread out. */
export function backoffSeconds(failures: number, maxSeconds: number, random: () => number): number {
  const base = Math.min(maxSeconds, 2 ** Math.max(0, failures - 1));
  return base * (0.8 + 0.4 * random());
}

/** Resolves after `ms`, or at once when `wake` fires or `signal` aborts (then it rejects). */
export function sleep(ms: number, options: { signal?: AbortSignal | undefined; wake?: (listener: () => void) => () => void } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const { signal, wake } = options;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }

    const done = () => {
      clearTimeout(timer);
      unsubscribe?.();
      signal?.removeEventListener('abort', aborted);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    const unsubscribe = wake?.(() => {
      done();
      resolve();
    });
    const aborted = () => {
      done();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', aborted);
  });
}
