import type { Generation, LiveState } from '@nanobanana/client';
import { useNanoBananaClient } from '@nanobanana/client/react';
import { useEffect, useRef, useState } from 'react';

const labels: Record<LiveState, string> = {
  idle: '',
  connecting: 'Connecting…',
  following: 'Live',
  paused: 'Paused',
  resuming: 'Catching up…',
  polling: 'Checking every few seconds',
};

/**
 * The caller-wide live view (client.live): a change to any of the user's generations, from this phone
 * or another device, refreshes the history; the footer says whether the page follows the event stream or polls.
 */
export function LiveStatus({ onChange }: { onChange: (generations: Generation[]) => void }) {
  const client = useNanoBananaClient();
  const [state, setState] = useState<LiveState>(client.liveState);
  // The latest callback, without reopening the view (and its stream) on every render.
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const view = client.live({ onChange: (generations) => changed.current(generations), onState: setState });
    return () => view.stop();
  }, [client]);

  return (
    <span className="live" data-testid="live" data-state={state}>
      {labels[state]}
    </span>
  );
}
