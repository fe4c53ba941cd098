import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium (a test tool's own browser download is not available here). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** How every test starts Chromium (and global-setup's check, so it checks the same thing). */
export const launchOptions = {
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
};

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ ...launchOptions, executablePath: chromiumPath });
}

/** A phone-sized browser profile of its own, signed in as `token` (the page reads it from localStorage). */
export async function phone(browser: Browser, token: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, acceptDownloads: true, ...options });
  await context.addInitScript((value) => localStorage.setItem('nanobanana-demo:token', value), token);
  return context;
}

export function card(page: Page, status?: string) {
  return page.locator(status ? `[data-testid=generation][data-status=${status}]` : '[data-testid=generation]');
}
