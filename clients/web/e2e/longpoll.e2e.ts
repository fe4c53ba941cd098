import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { artifacts } from './paths.js';
import { pushAndAwaitNotification } from './push.js';
import { browserSession, generate, withoutStreams } from './session.js';

// Results that arrive without asking: the visible page long-polls, a pending generation shows its
// place in the queue, and the service worker turns a push into a notification that opens the page.
describe('results without asking', () => {
  const session = browserSession();

  it('long-poll: where no event stream gets through, while the page is visible, the result comes on a long-poll', async () => {
    const { page } = await session.open();
    await withoutStreams(page); // with the stream the page does not poll at all (e2e/live.e2e.ts)
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana that long-polls ${hold}`);
    await card(page, 'processing').waitFor();
    await eventually(async () => (await control.waiting()) >= 1, 10_000, 'the page’s long-poll to be held by the API');

    await control.release(hold);
    await card(page, 'completed').waitFor({ timeout: 5_000 });
    const shownAt = Date.now();

    const { completedAt } = await control.row(id);
    const answered = (await control.requests({ method: 'GET', path: `/api/generations/${id}` })).filter((r) => r.status === 200);
    const shownAfterMs = shownAt - completedAt!;
    appendFileSync(join(artifacts, 'measurements.txt'), `long-poll, completion to result shown: ${shownAfterMs} ms\n`);
    // What carried the result: a long-poll (the delay is written down above, not asserted: a loaded
    // machine is slow, and a bound on it failed CI; the server side of the wake is LongPollTests').
    expect(answered.at(-1)!.prefer).toBe('wait=25');
  });

  it('shows the queue position while a generation waits for a free worker', async () => {
    const { user, page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    // More than the worker takes at once (host.json: a batch of 4, another when 2 are left: at most 6),
    // all held by Gemini: whatever comes next waits in line behind at least one of them.
    await Promise.all(Array.from({ length: 7 }, (_, i) => createThroughApi(user.token, `a banana in a queue ${i} ${hold}`)));

    let ahead = 0;
    let text: string | null = null;
    try {
      await generate(page, `a banana that waits its turn ${hold}`);
      const queue = card(page, 'pending').getByTestId('queue');
      await queue.waitFor({ timeout: 10_000 });
      ahead = Number(await queue.getAttribute('data-ahead'));
      text = await queue.textContent();
    } finally {
      await control.release(hold); // the worker's slots must not stay taken for the tests after this one
    }

    await card(page, 'completed').first().waitFor({ timeout: 60_000 });
    expect(ahead).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/ahead in line/);
  });

  it('the service worker shows a pushed ending as a notification that opens the page on that generation', async () => {
    const { context, page } = await session.open();
    await context.grantPermissions(['notifications'], { origin: inject('pageUrl') });
    const id = await generate(page, `a banana told by push ${marker()}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);

    const shown = await pushAndAwaitNotification(context, page, inject('pageUrl'), { id, status: 'completed' });
    const opened = await context.newPage();
    await opened.goto(shown.url);

    expect(shown).toMatchObject({ title: 'Your image is ready 🍌', tag: id });
    await opened.locator(`[data-testid=generation][data-id="${id}"]`).and(card(opened, 'completed')).waitFor({ timeout: 10_000 });
  });

  it('a Declarative Web Push message (as the API sends with Push__NotificationUrl) shows its own title and opens its generation', async () => {
    const { context, page } = await session.open();
    await context.grantPermissions(['notifications'], { origin: inject('pageUrl') });
    const id = await generate(page, `a banana told declaratively ${marker()}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    const navigate = new URL(`?generation=${id}`, inject('pageUrl')).href;

    // A title of its own (not the worker's), so the test sees the worker read the declared notification.
    const declarative = { web_push: 8030, notification: { title: 'Declared: your image is ready', body: 'Tap to see it.', navigate, tag: id }, id, status: 'completed' };
    const shown = await pushAndAwaitNotification(context, page, inject('pageUrl'), declarative);
    const opened = await context.newPage();
    await opened.goto(shown.url);

    expect(shown).toEqual({ title: 'Declared: your image is ready', tag: id, url: navigate });
    await opened.locator(`[data-testid=generation][data-id="${id}"]`).and(card(opened, 'completed')).waitFor({ timeout: 10_000 });
  });

  it('a push whose payload cannot be read still shows a notification (a silent push costs the subscription)', async () => {
    const { context, page } = await session.open();
    await context.grantPermissions(['notifications'], { origin: inject('pageUrl') });
    await page.evaluate(() => navigator.serviceWorker.ready);

    const shown = await pushAndAwaitNotification(context, page, inject('pageUrl'), 'not { json');

    expect(shown.title).toBe('Something changed in your images');
    expect(shown.url).toBe(new URL('./', inject('pageUrl')).href);
  });
});

async function createThroughApi(token: string, prompt: string): Promise<string> {
  const response = await fetch(`${inject('apiUrl')}/api/generations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}
