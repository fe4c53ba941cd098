import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { artifacts } from './paths.js';
import { browserSession, generate } from './session.js';

// Checklist item 3: "phone sleep doesn't interrupt generation", "status updates when returning from sleep".
describe('a phone that sleeps', () => {
  const session = browserSession();

  it('3. frozen and offline for 30 s while the server finishes: on wake the result shows within 2 s', async () => {
    const { context, page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana asleep ${hold}`);
    await card(page, 'processing').or(card(page, 'pending')).waitFor();

    // Sleep: the page is frozen (no timers, no events) and the radio is off.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await context.setOffline(true);
    const asleepAt = Date.now();

    // Meanwhile the server finishes the generation.
    await control.release(hold);
    await eventually(async () => (await control.row(id)).status === 'completed', 20_000, 'the worker to finish');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - asleepAt))));

    // Wake: the radio comes back and the page thaws.
    await context.setOffline(false);
    const wokeAt = Date.now();
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await card(page, 'completed').waitFor({ timeout: 2_000 });
    const shownAfterMs = Date.now() - wokeAt;
    await page.getByTestId('result-image').waitFor({ timeout: 2_000 });

    appendFileSync(join(artifacts, 'measurements.txt'), `wake to result shown: ${shownAfterMs} ms (slept ${Math.round((wokeAt - asleepAt) / 1000)} s)\n`);
    expect(shownAfterMs).toBeLessThan(2_000);
  });
});

// The original page's browser notification, and the client's slower pace in the background.
describe('a page in the background', () => {
  const session = browserSession();

  it('polls every 30 s while hidden, and notifies when the generation finishes', async () => {
    const { page } = await session.open();
    // Headless pages are always visible: the page is told it is hidden, and Notification is recorded.
    await page.addInitScript(() => {
      const state = window as unknown as { hidden: boolean; shown: { title: string; body?: string }[] };
      state.hidden = false;
      state.shown = [];
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (state.hidden ? 'hidden' : 'visible') });
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = () => Promise.resolve('granted');
        constructor(title: string, options?: { body?: string }) {
          state.shown.push({ title, ...(options?.body ? { body: options.body } : {}) });
        }
      }
      Object.defineProperty(window, 'Notification', { configurable: true, value: RecordedNotification });
    });
    await page.reload();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana in the background ${hold}`);
    await card(page, 'processing').or(card(page, 'pending')).waitFor();
    await eventually(async () => (await control.requests({ method: 'GET', path: `/api/generations/${id}` })).length > 0, 5_000, 'the first poll');

    await page.evaluate(() => {
      (window as unknown as { hidden: boolean }).hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const hiddenAt = Date.now();
    await control.release(hold);
    const shown = await eventually(
      () => page.evaluate(() => (window as unknown as { shown: { title: string; body?: string }[] }).shown[0]),
      45_000,
      'a notification',
    );
    const notifiedAfterMs = Date.now() - hiddenAt;
    const polls = (await control.requests({ method: 'GET', path: `/api/generations/${id}` })).filter((r) => Date.parse(r.at) >= hiddenAt);

    expect(shown).toEqual({ title: 'Your image is ready 🍌', body: `a banana in the background ${hold}` });
    expect(polls).toHaveLength(1); // the one, 30 s after the last visible poll, that saw it finished
    expect(notifiedAfterMs).toBeGreaterThan(15_000);
  });
});
