/** Why the page may have missed time: it became visible, got focus, came online, or was restored or resumed. */
export type WakeReason = 'visible' | 'focus' | 'online' | 'pageshow' | 'resume';

/** What the client needs to know about the page it runs in. */
export interface PageSignals {
  /** The page is in the background (another tab, a locked phone). */
  isHidden(): boolean;
  isOnline(): boolean;
  /** Calls back whenever the page may have been asleep; returns the unsubscribe. */
  onWake(listener: (reason: WakeReason) => void): () => void;
  /** Calls back when the page goes to the background (hidden, or about to be frozen); returns the unsubscribe. */
  onHide?(listener: () => void): () => void;
}

/**
 * The browser's signals: visibilitychange to visible, focus, online, pageshow (back-forward cache)
 * and resume (a frozen page thawed, Page Lifecycle API); hidden: visibilitychange to hidden and freeze.
 * Outside a browser: always visible and online.
 */
export function browserPageSignals(): PageSignals {
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    return { isHidden: () => false, isOnline: () => true, onWake: () => () => {}, onHide: () => () => {} };
  }

  return {
    isHidden: () => document.visibilityState === 'hidden',
    isOnline: () => navigator.onLine !== false,
    onWake(listener) {
      const visible = () => document.visibilityState === 'visible' && listener('visible');
      const focus = () => listener('focus');
      const online = () => listener('online');
      const pageshow = (event: PageTransitionEvent) => event.persisted && listener('pageshow');
      const resume = () => listener('resume');
      document.addEventListener('visibilitychange', visible);
      document.addEventListener('resume', resume);
      window.addEventListener('focus', focus);
      window.addEventListener('online', online);
      window.addEventListener('pageshow', pageshow);
      return () => {
        document.removeEventListener('visibilitychange', visible);
        document.removeEventListener('resume', resume);
        window.removeEventListener('focus', focus);
        window.removeEventListener('online', online);
        window.removeEventListener('pageshow', pageshow);
      };
    },
    onHide(listener) {
      const hidden = () => document.visibilityState === 'hidden' && listener();
      document.addEventListener('visibilitychange', hidden);
      document.addEventListener('freeze', listener);
      return () => {
        document.removeEventListener('visibilitychange', hidden);
        document.removeEventListener('freeze', listener);
      };
    },
  };
}
