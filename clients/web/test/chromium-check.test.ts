// @vitest-environment node
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkChromium, playwrightCore } from '../e2e/chromium.js';

// The browser suite's first step: a Chromium it cannot drive must fail with a message that names it.
describe('the browser suite’s Chromium check', () => {
  const { version, madeForChromium } = playwrightCore();

  it('names the path and the playwright-core release when there is no Chromium', async () => {
    const missing = join(tmpdir(), 'no-such-chromium');
    await expect(checkChromium(missing, { headless: true })).rejects.toThrow(
      new RegExp(`Chromium at ${missing} .* with playwright-core ${version} \\(made for Chromium ${madeForChromium.replace(/\./g, '\\.')}\\): no such file`),
    );
  });

  it('names the version a Chromium reports of itself when it does not start', async () => {
    const fake = join(mkdtempSync(join(tmpdir(), 'chromium-')), 'chromium');
    // Answers --version as Chromium does and fails anything else, as a Chromium too old or broken would.
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Chromium 101.0.4951.0 built on Debian"; exit 0; fi\necho "cannot start" >&2; exit 1\n');
    chmodSync(fake, 0o755);

    const failure = checkChromium(fake, { headless: true });
    await expect(failure).rejects.toThrow(/\(Chromium 101\.0\.4951\.0 built on Debian\) with playwright-core .*: it did not start/);
    await expect(failure).rejects.toThrow(/CHROMIUM_PATH/);
  });
});
