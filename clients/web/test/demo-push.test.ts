import type { NanoBananaClient } from '@nanobanana/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renewPush } from '../demo/src/push.js';

// The page's side of "a subscription the server forgot is re-registered on every open": fakes of the
// browser's service worker, push manager, Notification and Cache Storage (jsdom has none of them).
describe('renewPush on every open', () => {
  afterEach(() => vi.unstubAllGlobals());

  function browser(permission: NotificationPermission, existing: { endpoint: string } | null) {
    const subscribed: unknown[] = [];
    const toJson = (endpoint: string) => ({ endpoint, keys: { p256dh: 'p', auth: 'a' } });
    const pushManager = {
      getSubscription: vi.fn(async () => (existing ? { toJSON: () => toJson(existing.endpoint) } : null)),
      subscribe: vi.fn(async (options: unknown) => {
        subscribed.push(options);
        return { toJSON: () => toJson('https://fcm.googleapis.com/fcm/send/new') };
      }),
    };
    const deleted: string[] = [];
    vi.stubGlobal('Notification', { permission });
    vi.stubGlobal('PushManager', function PushManager() {});
    vi.stubGlobal('caches', { open: async () => ({ delete: async (key: string) => deleted.push(key) }) });
    Object.defineProperty(navigator, 'serviceWorker', { configurable: true, value: { register: vi.fn(async () => ({ pushManager })) } });
    const posted: unknown[] = [];
    const client = {
      vapidPublicKey: vi.fn(async () => 'BAAA'),
      subscribePush: vi.fn(async (subscription: unknown) => void posted.push(subscription)),
    } as unknown as NanoBananaClient;
    return { client, posted, subscribed, deleted, pushManager };
  }

  it('posts the subscription the browser has again (the API upserts it), and clears the worker’s record of a change', async () => {
    const { client, posted, subscribed, deleted } = browser('granted', { endpoint: 'https://fcm.googleapis.com/fcm/send/old' });

    expect(await renewPush(client)).toBe(true);

    expect(posted).toEqual([{ endpoint: 'https://fcm.googleapis.com/fcm/send/old', keys: { p256dh: 'p', auth: 'a' } }]);
    expect(subscribed).toEqual([]);
    expect(deleted).toEqual(['subscription-changed']);
  });

  it('subscribes anew when the push service dropped the subscription, and posts that one', async () => {
    const { client, posted, subscribed } = browser('granted', null);

    expect(await renewPush(client)).toBe(true);

    expect(subscribed).toHaveLength(1);
    expect(posted).toEqual([{ endpoint: 'https://fcm.googleapis.com/fcm/send/new', keys: { p256dh: 'p', auth: 'a' } }]);
  });

  it('does nothing without permission: asking needs a tap', async () => {
    const { client, posted, pushManager } = browser('default', { endpoint: 'https://fcm.googleapis.com/fcm/send/old' });

    expect(await renewPush(client)).toBe(false);

    expect(posted).toEqual([]);
    expect(pushManager.getSubscription).not.toHaveBeenCalled();
  });
});
