import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { control, marker } from './control.js';
import { artifacts } from './paths.js';
import { browserSession, generate } from './session.js';

// Checklist items 7 and 10: "page refresh preserves active generation", and two tabs on one generation.
describe('reloads and tabs', () => {
  const session = browserSession();

  it('7. a reload during processing shows the same generation going on, then finished', async () => {
    const { page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana that reloads ${hold}`);
    await page.waitForTimeout(2_500);

    await page.reload();
    const resumed = page.locator(`[data-testid=generation][data-id="${id}"]`);
    await resumed.and(card(page, 'processing').or(card(page, 'pending'))).waitFor();
    const timer = await resumed.getByTestId('timer').textContent();
    await control.release(hold);
    await resumed.and(card(page, 'completed')).waitFor({ timeout: 30_000 });

    expect(await card(page).count()).toBe(1);
    expect(Number(timer!.split(':')[1])).toBeGreaterThanOrEqual(2); // counted from the server's elapsed time, not from the reload
  });

  it('10. two tabs watching one generation make one request at a time between them (each a long-poll, where no event stream gets through)', async () => {
    const { context, page: first } = await session.open();
    // With the stream neither tab polls while nothing changes; this is the fallback's sharing of one poll.
    await context.route(`${inject('apiUrl')}/api/events`, (route) => route.abort('failed'));
    await first.reload();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(first, `a banana in two tabs ${hold}`);
    const second = await context.newPage();
    await second.goto(first.url());
    await second.locator(`[data-testid=generation][data-id="${id}"]`).waitFor();

    // Both tabs are open and visible; count the polls the API receives for this generation.
    const from = Date.now();
    await first.waitForTimeout(60_000);
    const to = Date.now();
    // The front logs a request when it has been answered, and a long-poll started in the window is
    // still held at its end: finish the generation (which answers it) before reading the log.
    await control.release(hold);
    await Promise.all([first, second].map((tab) => card(tab, 'completed').waitFor({ timeout: 30_000 })));
    const polls = (await control.requests({ method: 'GET', path: `/api/generations/${id}` }))
      .filter((r) => {
        const at = Date.parse(r.at);
        return at >= from && at < to;
      })
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

    const starts = polls.map((p) => Date.parse(p.at));
    appendFileSync(join(artifacts, 'measurements.txt'), `two tabs, one generation: ${polls.length} polls in ${Math.round((to - from) / 1000)} s (at ${starts.map((at) => ((at - from) / 1000).toFixed(1)).join(', ')} s)\n`);
    // One long-poll at a time, each held 25 s by the server: 2 or 3 in 60 s. Two tabs on their own would make twice that.
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.length).toBeLessThanOrEqual(3);
    expect(starts.every((at, i) => i === 0 || at - starts[i - 1]! >= 20_000)).toBe(true);
    expect(polls.every((poll) => poll.ifNoneMatch !== null && poll.prefer === 'wait=25')).toBe(true);
    // Each one held until its wait ran out, but the last, which the ending may have answered.
    expect(polls.slice(0, -1).every((poll) => poll.status === 304)).toBe(true);
  });
});
