import type { Generation } from '@nanobanana/client';
import { useEffect, useMemo, useRef, useState } from 'react';

/** A live timer: the server's elapsedSeconds, counted on locally (no dependence on the phone's clock). */
export function Elapsed({ generation }: { generation: Generation }) {
  const since = useMemo(() => ({ seconds: generation.elapsedSeconds, at: performance.now() }), [generation]);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  // A newer answer's elapsedSeconds is the server's, less the time it took to arrive (a long-poll
  // brings one at any moment): the timer never counts back on screen for the same generation.
  const shown = useRef({ id: '', total: 0 });
  let total = Math.max(0, Math.floor(since.seconds + (now - since.at) / 1000));
  if (shown.current.id === generation.id) {
    total = Math.max(total, shown.current.total);
  }
  shown.current = { id: generation.id, total };
  return (
    <time data-testid="timer" className="timer" dateTime={`PT${total}S`}>
      {Math.floor(total / 60)}:{String(total % 60).padStart(2, '0')}
    </time>
  );
}
