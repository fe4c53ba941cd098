import { describe, expect, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { browserSession, generate, screenshot, shownImage } from './session.js';

// Issue 23 item 4: while Gemini thinks, the page shows its interim image as a draft, then the result.
describe('drafts', () => {
  const session = browserSession();

  it('shows the model’s draft while it thinks, marked as a draft, and the final image once it is done', async () => {
    const { page } = await session.open();
    const hold = marker();
    await control.rule(hold, { draft: true, hold: true });
    await generate(page, `a banana that thinks first ${hold}`);

    const draft = page.getByTestId('draft-image');
    await draft.waitFor({ timeout: 20_000 });
    const statusWithDraft = await card(page).getAttribute('data-status');
    const caption = await page.getByTestId('draft').textContent();
    await screenshot(page, 'draft');
    await control.release(hold);
    await card(page, 'completed').waitFor({ timeout: 20_000 });
    const [call] = await eventually(async () => {
      const calls = await control.calls(hold);
      return calls[0]?.outcome === 'image' ? calls : undefined;
    }, 10_000, 'Gemini to answer');

    expect(statusWithDraft).toBe('processing');
    expect(caption).toContain('Draft 1');
    expect(await page.getByTestId('draft').count()).toBe(0); // the result replaces it
    expect(Buffer.from(call!.data!, 'base64').equals(await shownImage(page))).toBe(true);
  });
});
