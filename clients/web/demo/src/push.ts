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
