import type { NanoBananaClient } from '@nanobanana/client';

/**
 * Web Push for this page: registers the service worker (sw.js, which shows the notification and opens
 * the page on the generation), subscribes with the API's VAPID key and hands the subscription to the
 * API. Quietly does nothing where the browser or the server has no push.
 */
export async function enablePush(client: NanoBananaClient): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return false;
  }

  const registration = await navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`);
  if (Notification.permission !== 'granted' && (await Notification.requestPermission()) !== 'granted') {
    return false;
  }

  const publicKey = await client.vapidPublicKey();
  if (!publicKey) {
    return false; // the server has no push
  }

  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(publicKey) }));
  await client.subscribePush(subscription.toJSON());
  return true;
}

/**
 * On every open with permission already granted: hands this browser's subscription to the API again (an
 * upsert: 200 when the server has it), subscribing anew when the push service dropped it. The server may
 * have forgotten it (deleted as gone, a new database), and a `pushsubscriptionchange` that the service
 * worker saw could not be posted from there (no token): either way pushes arrive again from this open on.
 * Never asks for permission (that needs a tap); quietly does nothing where push is not available.
 */
export async function renewPush(client: NanoBananaClient): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window) || Notification.permission !== 'granted') {
    return false;
  }

  try {
    const registration = await navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`);
    let subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      const publicKey = await client.vapidPublicKey();
      if (!publicKey) {
        return false;
      }

      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(publicKey) });
    }

    await client.subscribePush(subscription.toJSON());
    await caches.open('nanobanana-push-state').then((state) => state.delete('subscription-changed')); // the worker's record, now handled
    return true;
  } catch {
    return false; // no push service here or the API unreachable: tried again on the next open
  }
}

/** Registers the service worker on load (so a notification can open the page even before push is turned on). */
export function registerServiceWorker(): void {
  if ('serviceWorker' in navigator) {
    void navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch(() => {});
  }
}

function base64UrlBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(value.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
