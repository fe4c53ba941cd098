import type { Generation } from '@nanobanana/client';
import { useEffect, useMemo, useState } from 'react';

/** A live timer: the server's elapsedSeconds, counted on locally (no dependence on the phone's clock). */
export function Elapsed({ generation }: { generation: Generation }) {
  const since = useMemo(() => ({ seconds: generation.elapsedSeconds, at: performance.now() }), [generation]);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const total = Math.max(0, Math.floor(since.seconds + (now - since.at) / 1000));
  return (
    <time data-testid="timer" className="timer" dateTime={`PT${total}S`}>
      {Math.floor(total / 60)}:{String(total % 60).padStart(2, '0')}
    </time>
  );
}
