import { describe, expect, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { browserSession, generate } from './session.js';

// Checklist item 11: cancel from the page; the worker's call in flight is stopped, and the page says Google may bill it.
describe('cancel', () => {
  const session = browserSession();

  it('11. shows cancelled and what it may cost, stops the call in flight, and stays cancelled', async () => {
    const { page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    const id = await generate(page, `a banana to cancel ${hold}`);
    await eventually(async () => (await control.calls(hold)).length === 1, 20_000, 'the worker to call Gemini');

    await page.getByTestId('cancel').click();
    await card(page, 'cancelled').waitFor({ timeout: 2_000 });
    // The worker hears of the cancel on its LISTEN session and aborts the call: no beat, no release needed.
    await eventually(async () => (await control.calls(hold))[0]?.outcome === 'aborted', 5_000, 'the worker to abort its Gemini call');
    const outcome = await page.getByTestId('cancel-outcome').getAttribute('data-outcome');
    await control.release(hold);
    await page.waitForTimeout(11_000); // at least one more poll
    const afterPoll = await card(page).getAttribute('data-status');
    await page.reload();
    const historyItem = page.locator(`[data-testid=history-item][data-id="${id}"]`);
    await historyItem.waitFor();

    expect(outcome).toBe('after_call');
    expect(afterPoll).toBe('cancelled');
    expect((await control.row(id)).status).toBe('cancelled');
    expect(await historyItem.textContent()).toContain('Cancelled');
    expect(await card(page).count()).toBe(0); // nothing left to resume
  });
});
