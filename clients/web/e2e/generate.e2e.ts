import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { control, eventually, marker } from './control.js';
import { browserSession, generate, screenshot, shownImage } from './session.js';

// Checklist items 1, 2, 4, 5 and 6: start, processing with a timer, the result, its download, failure and retry.
describe('generating from the page', () => {
  const session = browserSession();

  it('1. starts a generation from the page, as a cross-origin call the API allows', async () => {
    const { user, page } = await session.open();
    const since = Date.now();

    const id = await generate(page, `a banana on a bike ${marker()}`);

    expect(await control.generationCount(user.userId)).toBe(1);
    const creates = (await control.requests({ method: 'POST', path: '/api/generations' })).filter((r) => Date.parse(r.at) >= since);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ status: 202, origin: inject('pageUrl') });
    expect(creates[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    await card(page, 'completed').waitFor({ timeout: 30_000 });
    expect(await card(page).getAttribute('data-id')).toBe(id);
  });

  it("offers the chosen model's own ratios and sizes (GET /api/models): 3.1 Flash's 4:1 at 512 reach Gemini", async () => {
    const { page } = await session.open();
    const tag = marker();
    await page.getByTestId('aspect-ratio').locator('option', { hasText: '4:1' }).waitFor({ state: 'attached' });

    await page.getByTestId('aspect-ratio').selectOption('4:1');
    await page.getByTestId('resolution').selectOption('512');
    await generate(page, `a banana panorama ${tag}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });

    const [gemini] = await control.calls(tag);
    expect(gemini).toMatchObject({ model: 'gemini-3.1-flash-image', aspectRatio: '4:1', imageSize: '512' });
    // 3 Pro draws neither: choosing it takes them off the page.
    await page.getByTestId('model').selectOption('gemini-3-pro-image');
    expect(await page.getByTestId('aspect-ratio').locator('option', { hasText: '4:1' }).count()).toBe(0);
    expect(await page.getByTestId('resolution').locator('option', { hasText: '512' }).count()).toBe(0);
  });

  it('2. shows "Processing…" with a running timer', async () => {
    const { page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });

    await generate(page, `a banana in a hammock ${hold}`);
    const processing = card(page, 'pending').or(card(page, 'processing'));
    await processing.waitFor();
    const first = await page.getByTestId('timer').textContent();
    // The timer ticks once a second; on a loaded machine a tick may land late, so the test waits for two
    // ticks to show (up to 10 s) instead of reading the timer after a fixed 2.2 s.
    const timer = page.getByTestId('timer');
    const later = await eventually(async () => {
      const text = await timer.textContent();
      return text !== null && seconds(text) - seconds(first!) >= 2 ? text : undefined;
    }, 10_000, 'the timer to advance by 2 s');
    await screenshot(page, 'processing');
    await control.release(hold);

    expect(await page.getByTestId('status').textContent()).toBe('Processing…');
    expect(seconds(later!) - seconds(first!)).toBeGreaterThanOrEqual(2);
  });

  it('4. shows the result image, byte-identical to what Gemini returned; 5. downloads the same bytes as a PNG', async () => {
    const { page } = await session.open();
    const tag = marker();

    await generate(page, `a banana astronaut ${tag}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });
    await page.getByTestId('result-image').evaluate((img: HTMLImageElement) => img.decode());
    const [gemini] = await control.calls(tag);
    const fromGemini = Buffer.from(gemini!.data!, 'base64');
    const shown = await shownImage(page);
    await card(page).scrollIntoViewIfNeeded();
    await screenshot(page, 'completed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const downloaded = await readFile((await download.path())!);

    expect(shown.equals(fromGemini)).toBe(true);
    expect(await page.getByTestId('result-image').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([360, 640]);
    expect(downloaded.equals(fromGemini)).toBe(true);
    expect(download.suggestedFilename()).toMatch(/^[0-9a-f-]{36}-0\.png$/);
    expect(downloaded.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // a PNG, as named
  });

  it('6. shows why a generation failed with a retry button, and the retry completes', async () => {
    const { page } = await session.open();
    const tag = marker();
    await control.rule(tag, { finishReason: 'NO_IMAGE', times: 1 });

    const id = await generate(page, `a banana that cannot be drawn ${tag}`);
    await card(page, 'failed').waitFor({ timeout: 30_000 });
    const failure = page.getByTestId('failure');
    const shown = { code: await failure.getAttribute('data-code'), text: await failure.textContent() };
    await screenshot(page, 'failed');
    await page.getByTestId('retry').click();
    await card(page, 'completed').waitFor({ timeout: 30_000 });

    expect(shown).toEqual({ code: 'NO_IMAGE', text: 'Gemini did not draw anything this time. Try again.' });
    expect(await card(page).getAttribute('data-id')).toBe(id);
    expect(await eventually(async () => (await control.row(id)).status === 'completed' && control.row(id), 5_000, 'the row')).toMatchObject({ attempt: 2 });
  });
});

function seconds(timer: string): number {
  const [minutes, rest] = timer.split(':');
  return Number(minutes) * 60 + Number(rest);
}
