import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { control, marker } from './control.js';
import { browserSession, generate, screenshot } from './session.js';

// The page as an installed app: installable (what Android and desktop Chromium check, and what an
// iPhone needs before it offers Web Push), and opening with no network from what the service worker kept.
describe('the installable app', () => {
  const session = browserSession();

  it('is installable: the manifest parses, with no installability errors', async () => {
    const { context, page } = await session.open();
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);

    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');

    expect(manifest.url).toBe(`${inject('pageUrl')}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data!)).toMatchObject({ display: 'standalone', start_url: './', scope: './' });
    // Playwright's contexts are incognito profiles, where Chromium installs nothing: the one error that
    // says so is the test's, not the page's.
    expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);
  });

  it('opens with no network, says it is offline, and shows the generation it was following', async () => {
    const { context, page } = await session.open();
    const hold = marker();
    await control.rule(hold, { hold: true });
    try {
      await page.evaluate(() => navigator.serviceWorker.ready);
      const id = await generate(page, `a banana seen offline ${hold}`);
      await card(page, 'processing').waitFor();

      await context.setOffline(true);
      await page.reload();

      await page.getByTestId('offline').waitFor({ timeout: 10_000 });
      await page.locator(`[data-testid=generation][data-id="${id}"]`).waitFor({ timeout: 10_000 });
      expect(await page.locator('h1').textContent()).toContain('NanoBanana');
      await screenshot(page, 'offline');

      await context.setOffline(false);
      await control.release(hold);
      await card(page, 'completed').waitFor({ timeout: 30_000 });
      await expect(page.getByTestId('offline').count()).resolves.toBe(0);
    } finally {
      await control.release(hold);
    }
  });

  it('on an iPhone’s Safari, says how to add it to the Home Screen (where iOS gives a page Web Push), until told not now', async () => {
    const iPhone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
    const { page } = await session.open(undefined, { userAgent: iPhone });
    const hint = page.getByTestId('install-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toContain('Add to Home Screen');

    await hint.getByRole('button', { name: 'Not now' }).click();
    await page.reload();
    await page.getByTestId('prompt').waitFor();
    expect(await hint.count()).toBe(0);

    const { page: android } = await session.open();
    await android.getByTestId('prompt').waitFor();
    expect(await android.getByTestId('install-hint').count()).toBe(0);
  });

  it('installed on an iPhone’s Home Screen (standalone), shows no install hint and runs as the app', async () => {
    const iPhone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
    // A Home Screen web app fills the screen (no Safari bars: 393 x 852 on an iPhone 15) and says so
    // with navigator.standalone, which is what the page reads on iOS (display-mode elsewhere).
    const { context, page } = await session.open(undefined, { userAgent: iPhone, viewport: { width: 393, height: 852 } });
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true, configurable: true }));
    await page.reload();
    await page.getByTestId('prompt').waitFor();

    await generate(page, `a banana on the Home Screen ${marker()}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });

    expect(await page.evaluate(() => (navigator as Navigator & { standalone?: boolean }).standalone)).toBe(true);
    expect(await page.getByTestId('install-hint').count()).toBe(0);
    await screenshot(page, 'installed');
  });
});
