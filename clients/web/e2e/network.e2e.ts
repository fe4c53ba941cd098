import { describe, expect, inject, it } from 'vitest';
import { card } from './browser.js';
import { control, marker } from './control.js';
import { browserSession, generate } from './session.js';

// Checklist item 9: the answer to a create is lost on the way back; the client repeats it.
describe('a dropped response', () => {
  const session = browserSession();

  it('9. the first create reaches the server but its answer is dropped: the repeat makes no second generation', async () => {
    const { user, page } = await session.open();
    let dropped = false;
    await page.route(`${inject('apiUrl')}/api/generations`, async (route) => {
      if (route.request().method() === 'POST' && !dropped) {
        dropped = true;
        await route.fetch(); // the server creates the generation...
        await route.abort('connectionreset'); // ...and the phone never hears back
        return;
      }

      await route.continue();
    });

    const tag = marker();
    const id = await generate(page, `a banana on a train ${tag}`);
    await card(page, 'completed').waitFor({ timeout: 30_000 });

    const creates = (await control.requests({ method: 'POST', path: '/api/generations' })).filter((r) => r.status === 202 && r.idempotencyKey !== null);
    const mine = creates.filter((r) => r.idempotencyKey === creates.at(-1)!.idempotencyKey);
    expect(dropped).toBe(true);
    expect(mine).toHaveLength(2); // both reached the API, with one key
    expect(await control.generationCount(user.userId)).toBe(1);
    expect(await control.calls(tag)).toHaveLength(1);
    expect(await card(page).getAttribute('data-id')).toBe(id);
  });
});
