import { describe, expect, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { browserSession, generate } from './session.js';

// Checklist item 11: cancel from the page; the worker's late result changes nothing.
describe('cancel', () => {
  const session = browserSession();

  it('11. shows cancelled, and stays cancelled when the worker finishes later', async () => {
    const { page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana to cancel ${hold}`);
    await eventually(async () => (await control.calls(hold)).length === 1, 20_000, 'the worker to call Gemini');

    await page.getByTestId('cancel').click();
    await card(page, 'cancelled').waitFor({ timeout: 2_000 });
    await control.release(hold);
    await eventually(async () => (await control.calls(hold))[0]?.outcome === 'image', 10_000, 'Gemini to answer the worker');
    await page.waitForTimeout(11_000); // at least one more poll
    const afterPoll = await card(page).getAttribute('data-status');
    await page.reload();
    const historyItem = page.locator(`[data-testid=history-item][data-id="${id}"]`);
    await historyItem.waitFor();

    expect(afterPoll).toBe('cancelled');
    expect((await control.row(id)).status).toBe('cancelled');
    expect(await historyItem.textContent()).toContain('Cancelled');
    expect(await card(page).count()).toBe(0); // nothing left to resume
  });
});
