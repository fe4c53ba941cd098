import type { QueuePosition } from '@nanobanana/client';

/** While pending: how many go first, and when it should start ("about 40 s"). */
export function QueuePlace({ queue }: { queue: QueuePosition }) {
  const startsIn = Math.max(0, Math.round((Date.parse(queue.estimatedStartAt) - Date.now()) / 1000));
  return (
    <p data-testid="queue" data-ahead={queue.ahead} className="hint">
      {queue.ahead === 0 ? 'Next in line' : `${queue.ahead} ahead in line`}
      {startsIn > 0 ? `, starts in about ${startsIn < 90 ? `${startsIn} s` : `${Math.round(startsIn / 60)} min`}` : ''}
    </p>
  );
}
