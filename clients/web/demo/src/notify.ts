import type { Generation, NanoBananaClient } from '@nanobanana/client';
import { enablePush } from './push';

/**
 * Asks once, on a click (browsers only allow asking then), and subscribes this browser to Web Push,
 * so a phone that sleeps still hears when its image is ready. Without push the page's own
 * notification (below) still works while the page is alive.
 */
export function askToNotify(client: NanoBananaClient): void {
  if (!('Notification' in window) || Notification.permission === 'denied') {
    return;
  }

  void enablePush(client).catch(async () => {
    // No push here (no service worker, or the push service is unreachable): page notifications only.
    if (Notification.permission === 'default') {
      await Notification.requestPermission();
    }

    return false;
  });
}

/** Tells the person when a generation finished while they were looking elsewhere. */
export function notifyIfHidden(generation: Generation): void {
  if (document.visibilityState !== 'hidden' || !('Notification' in window) || Notification.permission !== 'granted') {
    return;
  }

  const title = generation.status === 'completed' ? 'Your image is ready 🍌' : 'Your image could not be made';
  new Notification(title, { body: generation.prompt.slice(0, 120), tag: generation.id });
}
