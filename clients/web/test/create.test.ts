import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/index.js';
import { FakeApi, FakeBrowser, freshFakes, offline, problem } from './fakes.js';

describe('create', () => {
  let api: FakeApi;
  let browser: FakeBrowser;
  freshFakes((fakes) => ({ api, browser } = fakes));

  it('repeats a create whose answer was lost with the same Idempotency-Key: one generation', async () => {
    const client = browser.tab();
    api.next(offline, () => problem(503, 'storage_unavailable', 2));

    const creating = client.create({ prompt: 'a banana' });
    await vi.advanceTimersByTimeAsync(10_000);
    const generation = await creating;

    const keys = api.creates().map((r) => r.headers.get('Idempotency-Key'));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.generations.size).toBe(1);
    expect(generation.status).toBe('pending');
  });

  it('uses a new key for each logical create', async () => {
    const client = browser.tab();

    await client.create({ prompt: 'one' });
    await client.create({ prompt: 'one' });

    const keys = api.creates().map((r) => r.headers.get('Idempotency-Key'));
    expect(new Set(keys).size).toBe(2);
    expect(api.generations.size).toBe(2);
  });

  it('stores the request before sending, so a reload sends it again with the same key', async () => {
    // Arrange: the radio sleeps through every try of the first page.
    const before = browser.tab(undefined, { createAttempts: 2 });
    api.next(offline, offline);
    const creating = before.create({ prompt: 'a banana', aspectRatio: '9:16' }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    const failure = await creating;

    // Act: the page reloads.
    const after = browser.tab();
    const ids = await after.resume();

    // Assert
    expect(failure).toMatchObject({ name: 'NetworkError' });
    const creates = api.creates();
    expect(creates).toHaveLength(3);
    expect(new Set(creates.map((r) => r.headers.get('Idempotency-Key'))).size).toBe(1);
    expect(creates[2]!.body).toEqual({ prompt: 'a banana', aspectRatio: '9:16' });
    expect(ids).toEqual([...api.generations.keys()]);
    expect(await after.resume()).toEqual(ids); // sent once: nothing pending any more
    expect(api.creates()).toHaveLength(3);
  });

  it('does not repeat a refused create, and says why with a typed error', async () => {
    const client = browser.tab();
    api.next(() => problem(429, 'too_many_active_generations', 10));

    const error = await client.create({ prompt: 'a banana' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'too_many_active_generations', retryAfterSeconds: 10 });
    expect(await client.resume()).toEqual([]);
    expect(api.creates()).toHaveLength(1);
  });

  it('resumes the generations this browser started and has not seen finish', async () => {
    const client = browser.tab();
    const first = await client.create({ prompt: 'one' });
    await vi.advanceTimersByTimeAsync(1_000);
    const second = await client.create({ prompt: 'two' });
    api.set(first.id, { status: 'completed', pollAfterSeconds: null });

    const beforeWatching = await browser.tab().resume();
    const watch = client.watch(first.id, () => {});
    await watch.done;
    const afterWatching = await browser.tab().resume();

    expect(beforeWatching).toEqual([second.id, first.id]);
    expect(afterWatching).toEqual([second.id]);
  });

  it('sends a personal Gemini key but never stores it', async () => {
    const client = browser.tab();
    api.next(offline);

    const creating = client.create({ prompt: 'p' }, { geminiApiKey: 'AIza-personal' });
    await vi.advanceTimersByTimeAsync(0);
    const stored = [...Array(browser.storage.length).keys()].map((i) => browser.storage.getItem(browser.storage.key(i)!)).join();
    await vi.advanceTimersByTimeAsync(5_000);
    await creating;

    expect(api.creates().map((r) => r.headers.get('X-Gemini-Api-Key'))).toEqual(['AIza-personal', 'AIza-personal']);
    expect(stored).toContain('"prompt":"p"');
    expect(stored).not.toContain('AIza');
  });
});
