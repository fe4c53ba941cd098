import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { browserSession, generate } from './session.js';

// Checklist item 8: several generations tracked in the history, newest first, with load-more.
describe('history', () => {
  const session = browserSession();

  it('8. lists the generations newest first, six at a time, and loads more', async () => {
    const { user, page } = await session.open();
    const older: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const response = await fetch(`${inject('apiUrl')}/api/generations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: `banana number ${i}` }),
      });
      older.push(((await response.json()) as { id: string }).id);
    }

    const newest = await generate(page, 'banana number 8, from the page');
    await card(page, 'completed').waitFor({ timeout: 30_000 });
    const items = page.getByTestId('history-item');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-item]').length === 6);
    const firstPage = await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')));
    await page.getByTestId('load-more').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-item]').length === 8);
    const all = await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')));

    expect(firstPage).toEqual([newest, ...older.slice(2).reverse()]);
    expect(all).toEqual([newest, ...older.reverse()]);
    expect(await page.getByTestId('load-more').count()).toBe(0);
  });
});
