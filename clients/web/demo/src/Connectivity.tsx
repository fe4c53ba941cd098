import { useSyncExternalStore } from 'react';

function subscribe(changed: () => void): () => void {
  window.addEventListener('online', changed);
  window.addEventListener('offline', changed);
  return () => {
    window.removeEventListener('online', changed);
    window.removeEventListener('offline', changed);
  };
}

/** Says so while the phone has no network: the page then shows what it last saw (the service worker kept the page itself). */
export function OfflineNotice() {
  const online = useSyncExternalStore(subscribe, () => navigator.onLine);
  if (online) {
    return null;
  }

  return (
    <p className="notice" role="status" data-testid="offline">
      You’re offline. This is what your phone last saw; it catches up by itself when the network is back.
    </p>
  );
}
