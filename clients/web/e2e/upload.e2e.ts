import { describe, expect, it } from 'vitest';
import { card } from './browser.js';
import { control, marker } from './control.js';
import { browserSession, generate } from './session.js';

/** A 1x1 PNG: the page uploads it straight to Blob Storage (Azurite), the worker sends it on to Gemini. */
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('a reference image through an upload', () => {
  const session = browserSession();

  it("attaches a reference uploaded straight to Blob Storage (POST /api/uploads, then the page's own PUTs), with 3.1 Flash's 4:1 at 512", async () => {
    const { page } = await session.open();
    const tag = marker();
    const since = Date.now();
    await page.getByTestId('aspect-ratio').locator('option', { hasText: '4:1' }).waitFor({ state: 'attached' });
    await page.getByTestId('aspect-ratio').selectOption('4:1');
    await page.getByTestId('resolution').selectOption('512');

    await page.locator('input[type=file]').setInputFiles({ name: 'reference.png', mimeType: 'image/png', buffer: png });
    await generate(page, `a banana like this photo ${tag}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });

    const uploads = (await control.requests({ method: 'POST', path: '/api/uploads' })).filter((r) => Date.parse(r.at) >= since);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ status: 201 });
    const [gemini] = await control.calls(tag);
    expect(gemini).toMatchObject({ model: 'gemini-3.1-flash-image', aspectRatio: '4:1', imageSize: '512', references: [{ mimeType: 'image/png', bytes: png.length }] });
  });
});
