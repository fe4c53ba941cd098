import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type LaunchOptions } from 'playwright-core';

const require = createRequire(import.meta.url);

/** The playwright-core this suite drives Chromium with, and the Chromium build that release was made for. */
export function playwrightCore(): { version: string; madeForChromium: string } {
  const version = (require('playwright-core/package.json') as { version: string }).version;
  const browsers = JSON.parse(readFileSync(join(dirname(require.resolve('playwright-core/package.json')), 'browsers.json'), 'utf8')) as {
    browsers: { name: string; browserVersion?: string }[];
  };
  return { version, madeForChromium: browsers.browsers.find((b) => b.name === 'chromium')?.browserVersion ?? 'unknown' };
}

/** What the binary says of itself (`chromium --version`), or why it said nothing. */
export async function chromiumVersion(executablePath: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(executablePath, ['--version'], { timeout: 30_000 });
    return stdout.trim();
  } catch (error) {
    return `version unknown: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * Checks, before the suite builds anything, that this Chromium can be driven: it starts, opens a page and
 * runs script in it. When it cannot, the error names the binary, its version and the playwright-core
 * release (and the Chromium it was made for), which is what someone needs to fix it.
 */
export async function checkChromium(executablePath: string, options: LaunchOptions): Promise<string> {
  const pw = playwrightCore();
  const cannot = async (why: string) =>
    new Error(
      `The browser suite cannot drive the Chromium at ${executablePath} (${await chromiumVersion(executablePath)}) ` +
        `with playwright-core ${pw.version} (made for Chromium ${pw.madeForChromium}): ${why}. ` +
        `Install Debian's chromium (scripts/prerequisites.sh) or point CHROMIUM_PATH at a Chromium playwright-core ${pw.version} supports.`,
    );
  if (!existsSync(executablePath)) {
    throw await cannot('no such file');
  }

  let browser;
  try {
    browser = await chromium.launch({ ...options, executablePath, timeout: 60_000 });
  } catch (error) {
    throw await cannot(`it did not start: ${(error as Error).message.split('\n')[0]}`);
  }

  try {
    const page = await browser.newPage();
    if ((await page.evaluate(() => 6 * 7)) !== 42) {
      throw new Error('a page did not run script');
    }

    return browser.version();
  } catch (error) {
    throw await cannot((error as Error).message.split('\n')[0]!);
  } finally {
    await browser.close();
  }
}
