import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { browserSession, generate, withoutStreams } from './session.js';

interface Received {
  generationId: string;
  cursor: string;
  kind: string;
}

interface Recorded {
  events: Received[];
  statuses: Record<string, string[]>;
}

/**
 * What the page received and showed, recorded beside the client (not by it): every event that arrived
 * on a `GET /api/events` body (a tee of the response the client reads) and each status a card showed.
 */
function recordWhatThePageGets(): void {
  const recorded: Recorded = { events: [], statuses: {} };
  (window as unknown as { recorded: Recorded }).recorded = recorded;
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!new URL(url).pathname.endsWith('/api/events') || !response.body) {
      return response;
    }

    const [mine, theirs] = response.body.tee();
    void (async () => {
      const reader = mine.getReader();
      const decoder = new TextDecoder();
      let text = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            return;
          }

          text += decoder.decode(value, { stream: true });
          for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
            const data = text.slice(0, end).split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
            text = text.slice(end + 2);
            if (data) {
              recorded.events.push(JSON.parse(data) as Received);
            }
          }
        }
      } catch {
        // the client closed the stream (hidden, frozen) or it was cut
      }
    })();
    return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  new MutationObserver(() => {
    document.querySelectorAll<HTMLElement>('[data-testid=generation]').forEach((card) => {
      const shown = (recorded.statuses[card.dataset.id!] ??= []);
      if (card.dataset.status !== 'loading' && shown.at(-1) !== card.dataset.status) {
        shown.push(card.dataset.status!);
      }
    });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
}

const recorded = (page: Page) => page.evaluate(() => (window as unknown as { recorded: Recorded }).recorded);

// Issue 23: the page follows its generations over the caller-wide event stream while visible, closes it
// when frozen, and on resume catches up in one request before it follows again.
describe('live: the event stream', () => {
  const session = browserSession();

  it('follows a generation over the stream; frozen mid-stream while it finishes, on resume one changedSince shows it, and no event arrives twice', async () => {
    const { user, context, page } = await session.open();
    await page.addInitScript(recordWhatThePageGets);
    await page.reload();
    await page.locator('[data-testid=live][data-state=following]').waitFor({ timeout: 10_000 });
    const hold = marker();
    await control.rule(hold, { hold: true });

    const id = await generate(page, `a banana followed live ${hold}`);
    await card(page, 'processing').waitFor({ timeout: 10_000 });
    const beforeFreeze = await eventually(
      async () => ((await recorded(page)).events.some((e) => e.generationId === id && e.kind === 'started') ? recorded(page) : undefined),
      10_000,
      'the started event on the stream',
    );

    // Frozen mid-stream, and the generation finishes meanwhile. Chrome fires `freeze` before it freezes a
    // page and `resume` after (Page Lifecycle API); headless Chromium's CDP freeze fires neither (checked
    // on this machine's Chromium), so the test fires them around it as the browser would.
    const cdp = await context.newCDPSession(page);
    await page.evaluate(() => document.dispatchEvent(new Event('freeze')));
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await control.release(hold);
    await eventually(async () => (await control.row(id)).status === 'completed', 20_000, 'the worker to finish');
    const streamsClosed = await eventually(
      async () => ((await control.requests({ method: 'GET', path: '/api/events' })).length >= 1 ? true : undefined),
      10_000,
      'the frozen page’s stream to end',
    );

    const wokeAt = Date.now();
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await page.evaluate(() => document.dispatchEvent(new Event('resume')));
    await card(page, 'completed').waitFor({ timeout: 5_000 });
    await page.locator('[data-testid=live][data-state=following]').waitFor({ timeout: 10_000 });

    // Another device makes one: its first event comes over the reopened stream, after the catch-up's token.
    const other = await createThroughApi(user.token, `a banana from the laptop ${marker()}`);
    await eventually(async () => (await recorded(page)).events.some((e) => e.generationId === other), 10_000, 'the other device’s event on the stream');
    await page.locator(`[data-testid=history-item][data-id="${other}"]`).waitFor({ timeout: 10_000 });

    const after = await recorded(page);
    const catchUps = (await control.requests({ method: 'GET', path: '/api/generations' }))
      .filter((r) => r.query.includes('changedSince') && Date.parse(r.at) >= wokeAt);
    const cursors = after.events.map((e) => e.cursor);
    const kinds = after.events.filter((e) => e.generationId === id).map((e) => e.kind);

    expect(streamsClosed).toBe(true);
    expect(beforeFreeze.events.filter((e) => e.generationId === id).map((e) => e.kind)).toEqual(['queued', 'started']);
    expect(catchUps).toHaveLength(1); // the one request on resume
    expect(new Set(cursors).size).toBe(cursors.length); // no event twice
    expect(cursors.map(Number)).toEqual([...cursors.map(Number)].sort((a, b) => a - b));
    expect(kinds).toEqual(['queued', 'started']); // stored and completed came with the catch-up, not replayed on the stream
    expect(['pending,processing,completed', 'processing,completed']).toContain(after.statuses[id]!.join()); // each change shown once
  });

  it('falls back to long-polling when the stream cannot get through, and the result still shows', async () => {
    const { page } = await session.open();
    await withoutStreams(page);
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana behind a proxy ${hold}`);
    await page.locator('[data-testid=live][data-state=polling]').waitFor({ timeout: 15_000 });

    await control.release(hold);
    await card(page, 'completed').waitFor({ timeout: 30_000 });

    const polls = (await control.requests({ method: 'GET', path: `/api/generations/${id}` })).filter((r) => r.status === 200);
    expect(polls.at(-1)!.prefer).toBe('wait=25');
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
