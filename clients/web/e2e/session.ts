import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { card, launchBrowser, phone } from './browser.js';
import { control, type User } from './control.js';
import { artifacts } from './paths.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface Phone {
  user: User;
  context: BrowserContext;
  page: Page;
}

/** One Chromium for a test file; each test opens phones (fresh profile, fresh user), closed after it. */
export function browserSession() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    /** A signed-in phone on the page; `as` reuses a user (another device of the same person); `options` makes it another phone (a user agent). */
    async open(as?: User, options?: BrowserContextOptions): Promise<Phone> {
      const user = as ?? (await control.newUser());
      const context = await phone(browser!, user.token, options);
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(inject('pageUrl'));
      return { user, context, page };
    },
  };
}

/**
 * The page as behind something that lets no event stream through (a proxy, a firewall): every
 * `GET /api/events` fails, so the client falls back to polling (and long-polling) as it did before
 * streams. Reloads the page so it starts that way.
 */
export async function withoutStreams(page: Page): Promise<void> {
  await page.route(`${inject('apiUrl')}/api/events`, (route) => route.abort('failed'));
  await page.reload();
}

/** Types a prompt, presses Generate, and returns the new generation's id once its card is shown. */
export async function generate(page: Page, prompt: string): Promise<string> {
  await page.getByTestId('prompt').fill(prompt);
  const before = await card(page).count();
  await page.getByTestId('generate').click();
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid=generation]').length > count, before);
  return (await card(page).first().getAttribute('data-id'))!;
}

/** The page as a phone shows it, for docs/screenshots (UPDATE_SCREENSHOTS=1) or the run's artifacts. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const directory = process.env.UPDATE_SCREENSHOTS ? join(here, '..', '..', '..', 'docs', 'screenshots') : artifacts;
  mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: join(directory, `${name}.png`) });
}

/** The bytes of the image an <img> shows (its src is an object URL the page made). */
export async function shownImage(page: Page): Promise<Buffer> {
  const bytes = await page.getByTestId('result-image').evaluate(async (img: HTMLImageElement) => {
    const response = await fetch(img.src);
    return Array.from(new Uint8Array(await response.arrayBuffer()));
  });
  return Buffer.from(bytes);
}
