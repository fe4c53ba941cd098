import { describe, expect, inject, it } from 'vitest';
import { control, eventually, marker, type User } from './control.js';
import { standInPushManager } from './push.js';
import { browserSession } from './session.js';

// iOS and the push services drop subscriptions, and the server forgets them (deleted as gone, a new
// database): the page hands its subscription to the API again on every open (renewPush), so pushes
// come back without asking the person again.
describe('push re-registration', () => {
  const session = browserSession();

  /** DELETE /api/push-subscriptions as the user: 204 when the server had the subscription, 404 when it did not. */
  async function forget(user: User, endpoint: string): Promise<number> {
    const response = await fetch(`${inject('apiUrl')}/api/push-subscriptions?endpoint=${encodeURIComponent(endpoint)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${user.token}` },
    });
    return response.status;
  }

  /** The POSTs of a subscription the API answered 201 (it did not have it), in the front's log. */
  async function subscriptionsCreated(): Promise<number> {
    return (await control.requests({ method: 'POST', path: '/api/push-subscriptions' })).filter((r) => r.status === 201).length;
  }

  it('re-posts the subscription on the next open after the server forgot it, without asking for permission', async () => {
    // Arrange: a phone with notifications allowed and a subscription the API has (posted on open).
    const endpoint = `http://127.0.0.1:9/push/${marker()}`;
    const { user, context, page } = await session.open();
    await standInPushManager(context, endpoint);
    await context.grantPermissions(['notifications'], { origin: inject('pageUrl') });
    const before = await subscriptionsCreated();
    await page.reload();
    await eventually(async () => (await subscriptionsCreated()) > before, 15_000, 'the first registration');

    // Act: the server forgets it, then the page is opened again.
    const forgotten = await forget(user, endpoint);
    const afterForgetting = await forget(user, endpoint);
    const created = await subscriptionsCreated();
    await page.close();
    const reopened = await context.newPage();
    await reopened.goto(inject('pageUrl'));
    await eventually(async () => (await subscriptionsCreated()) > created, 15_000, 'the subscription posted again');

    // Assert: the server had it, lost it, and has the same endpoint again; the person was never asked.
    expect([forgotten, afterForgetting]).toEqual([204, 404]);
    expect(await forget(user, endpoint)).toBe(204);
    expect(await reopened.evaluate(() => Notification.permission)).toBe('granted');
    expect(await reopened.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.endpoint)).toBe(endpoint);
  });
});
