import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

  it('10. two tabs watching one generation make one request per poll interval between them', async () => {
    const { context, page: first } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(first, `a banana in two tabs ${hold}`);
    const second = await context.newPage();
    await second.goto(first.url());
    await second.locator(`[data-testid=generation][data-id="${id}"]`).waitFor();

    // Both tabs are open and visible; count the polls the API receives for this generation.
    const from = Date.now();
    await first.waitForTimeout(40_000);
    const to = Date.now();
    const polls = (await control.requests({ method: 'GET', path: `/api/generations/${id}` })).filter((r) => {
      const at = Date.parse(r.at);
      return at >= from && at < to;
    });
    await control.release(hold);
    await Promise.all([first, second].map((tab) => card(tab, 'completed').waitFor({ timeout: 30_000 })));

    appendFileSync(join(artifacts, 'measurements.txt'), `two tabs, one generation: ${polls.length} polls in ${Math.round((to - from) / 1000)} s (at ${polls.map((p) => ((Date.parse(p.at) - from) / 1000).toFixed(1)).join(', ')} s)\n`);
    // One tab alone polls every 10 s: 4 in 40 s. Two tabs polling on their own would make 8.
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.length).toBeLessThanOrEqual(5);
    expect(polls.every((poll) => poll.ifNoneMatch !== null)).toBe(true);
    expect(polls.filter((poll) => poll.status === 304).length).toBeGreaterThanOrEqual(polls.length - 1);
  });
});
