import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from './control.js';

/**
 * A push message delivered to the page's service worker the way Chromium's DevTools protocol does it
 * (headless Chromium has no push service to receive from), and the notification it shows.
 *
 * The worker is waited for until its version is activated: `navigator.serviceWorker.ready` resolves as soon
 * as a worker is active, which includes "activating", and a push sent then can reach no listener.
 * What the worker reported (its states, errors and console) goes into the failure, so a Chromium that
 * drops the message says where it stopped. A string is sent as it is (a payload that is not JSON); anything
 * else as its JSON.
 */
export async function pushAndAwaitNotification(context: BrowserContext, page: Page, origin: string, data: unknown) {
  const cdp = await context.newCDPSession(page);
  const seen: string[] = [];
  let registrationId: string | undefined;
  let activated = false;
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    registrationId = registrations.find((r) => !r.isDeleted)?.registrationId ?? registrationId;
  });
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      seen.push(`version ${v.versionId}: ${v.status}, ${v.runningStatus}`);
      activated ||= v.status === 'activated';
    }
  });
  cdp.on('ServiceWorker.workerErrorReported', ({ errorMessage }) => seen.push(`error: ${errorMessage.errorMessage} (${errorMessage.sourceURL}:${errorMessage.lineNumber})`));
  context.serviceWorkers().forEach((worker) => worker.on('console', (m) => seen.push(`console: ${m.text()}`)));
  await cdp.send('ServiceWorker.enable');

  const explain = async (error: unknown) => {
    const permission = await page.evaluate(() => Notification.permission).catch((e: Error) => e.message);
    return new Error(`${(error as Error).message}; page's Notification.permission: ${permission}; the service worker: ${seen.join('; ') || 'reported nothing'}`);
  };
  const shownNotification = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, tag: n.tag, url: (n.data as { url: string }).url }))[0],
    );
  try {
    await eventually(async () => registrationId !== undefined && activated, 10_000, 'the service worker to be activated');
    // Headless Chromium now and then drops a notification the worker showed: showNotification resolves,
    // yet getNotifications() never lists it (seen about once in ten pushes, more on a loaded machine).
    // The push is delivered again then; a worker that shows nothing fails all three.
    for (let delivery = 1; ; delivery++) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: registrationId!, data: typeof data === 'string' ? data : JSON.stringify(data) });
      try {
        return await eventually(shownNotification, 4_000, `the notification (push delivered ${delivery} of 3 times)`);
      } catch (error) {
        if (delivery === 3) {
          throw error;
        }
      }
    }
  } catch (error) {
    throw await explain(error);
  } finally {
    await cdp.detach();
  }
}

/**
 * A push manager standing in for the browser's in every page of the context (headless Chromium has no push
 * service to subscribe with): `getSubscription()` answers with the one subscription the push service keeps
 * for this browser, `subscribe()` makes it. Everything around it (the page's renewal, the service worker's
 * registration, the API) is real. The endpoint is on the loopback, which the front accepts as a push service.
 */
export async function standInPushManager(context: BrowserContext, endpoint: string): Promise<void> {
  await context.addInitScript((endpoint) => {
    const bytes = (length: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(length)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const stored = 'e2e:push-subscription';
    const subscription = () => {
      const json = JSON.parse(localStorage.getItem(stored)!) as PushSubscriptionJSON;
      return { endpoint: json.endpoint, expirationTime: null, options: {}, toJSON: () => json, unsubscribe: async () => (localStorage.removeItem(stored), true) };
    };
    PushManager.prototype.getSubscription = async function () {
      return (localStorage.getItem(stored) === null ? null : subscription()) as PushSubscription | null;
    };
    PushManager.prototype.subscribe = async function () {
      // A P-256 point's shape (0x04 and 64 bytes) is what the API checks; the bytes need not be a real key here.
      const p256dh = btoa(String.fromCharCode(4, ...crypto.getRandomValues(new Uint8Array(64)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      localStorage.setItem(stored, JSON.stringify({ endpoint, expirationTime: null, keys: { p256dh, auth: bytes(16) } }));
      return subscription() as unknown as PushSubscription;
    };
  }, endpoint);
}
