import { describe, expect, it, vi } from 'vitest';
import type { Generation } from '../src/index.js';
import { FakeApi, FakeBrowser, FakePage, freshFakes, noAnswer, offline, problem } from './fakes.js';
import { userScope } from '../src/user-scope.js';

// Polling is pinned request by request: the API's pollAfterSeconds is 10, the hidden interval 30.
describe('watch', () => {
  let api: FakeApi;
  let browser: FakeBrowser;
  freshFakes((fakes) => ({ api, browser } = fakes));

  async function created(page = new FakePage()) {
    const client = browser.tab(page);
    const generation = await client.create({ prompt: 'a banana' });
    api.requests.length = 0;
    return { client, page, id: generation.id };
  }

  it('polls at once, then every pollAfterSeconds while visible', async () => {
    const { client, id } = await created();

    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(0);
    const atOnce = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(60_000);

    expect(atOnce).toBe(1);
    expect(api.polls(id)).toHaveLength(7);
  });

  it('polls every 30 s while the page is hidden', async () => {
    const page = new FakePage();
    page.hidden = true;
    const { client, id } = await created(page);

    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(90_000);

    expect(api.polls(id)).toHaveLength(4); // at once, 30, 60, 90
  });

  it('sends If-None-Match with the last ETag, and a 304 changes nothing', async () => {
    const { client, id } = await created();
    const updates: Generation[] = [];

    client.watch(id, (generation) => updates.push(generation));
    await vi.advanceTimersByTimeAsync(20_000);

    const conditional = api.polls(id).map((r) => r.headers.get('If-None-Match'));
    expect(conditional).toEqual(['W/"1"', 'W/"1"', 'W/"1"']); // the create's ETag, from the start
    expect(updates.map((g) => g.status)).toEqual(['pending']);
  });

  it('delivers a change, then stops at a terminal status', async () => {
    const { client, id } = await created();
    const updates: string[] = [];
    const watch = client.watch(id, (generation) => updates.push(generation.status));
    await vi.advanceTimersByTimeAsync(5_000);

    api.set(id, { status: 'completed', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(5_000);
    const pollsAtEnd = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(120_000);

    expect(updates).toEqual(['pending', 'completed']);
    expect(await watch.done).toMatchObject({ status: 'completed' });
    expect(api.polls(id)).toHaveLength(pollsAtEnd);
  });

  it('polls at once when the page wakes, not at the next tick', async () => {
    const { client, page, id } = await created();
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(4_000);

    for (const reason of ['visible', 'focus', 'online', 'pageshow', 'resume'] as const) {
      const before = api.polls(id).length;
      page.wake(reason);
      await vi.advanceTimersByTimeAsync(1_500);
      expect(api.polls(id).length, reason).toBe(before + 1);
    }
  });

  it('honours Retry-After on 503, even when the page wakes', async () => {
    const { client, page, id } = await created();
    api.next(() => problem(503, 'database_unavailable', 20));
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(0);

    page.wake('focus');
    await vi.advanceTimersByTimeAsync(19_000);
    const during = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(1_000);

    expect(during).toBe(1);
    expect(api.polls(id)).toHaveLength(2);
  });

  it('backs off on network errors (1, 2, 4, 8 s), and asks at once when back online', async () => {
    const { client, page, id } = await created();
    api.next(offline, offline, offline, offline, offline);
    const errors: string[] = [];
    client.watch(id, () => {}, { onError: (error, fatal) => errors.push(`${error.name}:${fatal}`) });

    const times: number[] = [];
    const start = Date.now();
    for (let second = 0; second <= 15; second++) {
      const before = api.polls(id).length;
      await vi.advanceTimersByTimeAsync(second === 0 ? 0 : 1_000);
      if (api.polls(id).length > before) {
        times.push((Date.now() - start) / 1000);
      }
    }

    await vi.advanceTimersByTimeAsync(3_000); // the next try would be at 31 s
    page.wake('online');
    await vi.advanceTimersByTimeAsync(0);

    expect(times).toEqual([0, 1, 3, 7, 15]);
    expect(api.polls(id)).toHaveLength(6);
    expect(errors).toEqual(Array(5).fill('NetworkError:false'));
  });

  it('gives up a poll that gets no answer after 30 s, and asks again', async () => {
    const { client, id } = await created();
    api.next(noAnswer);
    const errors: string[] = [];
    client.watch(id, () => {}, { onError: (error) => errors.push(error.name) });

    await vi.advanceTimersByTimeAsync(29_000);
    const waiting = [api.polls(id).length, errors.length];
    await vi.advanceTimersByTimeAsync(2_000);

    expect(waiting).toEqual([1, 0]);
    expect(errors).toEqual(['NetworkError']);
    expect(api.polls(id)).toHaveLength(2); // after a 1 s back-off
  });

  it('takes over from a tab that froze in the middle of a poll', async () => {
    const { id } = await created();
    // Another tab started polling, holds the lock, and was frozen before it could answer.
    browser.storage.setItem(`nanobanana:${userScope('token-1')}:poll:${id}`, JSON.stringify({ polledAt: Date.now() }));
    void browser.locks.tryExclusive(`nanobanana:poll:${id}`, () => new Promise(() => {}));
    const client = browser.tab();

    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(60_000);
    const whileHeld = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(40_000);

    expect(whileHeld).toBe(0);
    expect(api.polls(id).length).toBeGreaterThanOrEqual(3); // stolen after 70 s, then every 10 s
  });

  it('ends the watch on 404 (gone, or not yours)', async () => {
    const { client, id } = await created();
    api.next(() => problem(404, 'generation_not_found'));

    const watch = client.watch(id, () => {});

    await expect(watch.done).rejects.toMatchObject({ name: 'ApiError', status: 404, code: 'generation_not_found' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.polls(id)).toHaveLength(1);
  });

  it('keeps one poll in flight for several watchers of one id', async () => {
    const { client, id } = await created();
    const seen: string[] = [];

    client.watch(id, () => seen.push('a'));
    client.watch(id, () => seen.push('b'));
    client.watch(id, () => seen.push('c'));
    await vi.advanceTimersByTimeAsync(30_000);

    expect(api.polls(id)).toHaveLength(4);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
  });

  it('counts a stored state\'s elapsed time on from when it was received (a reload, a new tab)', async () => {
    const { id } = await created();
    await vi.advanceTimersByTimeAsync(7_000);
    const seen: number[] = [];

    browser.tab().watch(id, (g) => seen.push(g.elapsedSeconds));

    expect(seen).toEqual([7]); // the create answered at 0 s, seven seconds ago
  });

  it('keeps polling at once when a watcher stops and another starts in one go (a React remount)', async () => {
    const { client, id } = await created();
    api.set(id, { status: 'processing' });
    const seen: string[] = [];

    client.watch(id, () => {}).stop();
    client.watch(id, (g) => seen.push(g.status));
    await vi.advanceTimersByTimeAsync(1_000);

    expect(api.polls(id)).toHaveLength(1);
    expect(seen).toEqual(['pending', 'processing']);
  });

  it('makes one request per interval between two tabs watching one id, and both see each change', async () => {
    const { id } = await created();
    const first = browser.tab();
    const second = browser.tab();
    const seen: string[] = [];

    first.watch(id, (g) => seen.push(`first:${g.status}`));
    await vi.advanceTimersByTimeAsync(3_000);
    second.watch(id, (g) => seen.push(`second:${g.status}`));
    await vi.advanceTimersByTimeAsync(57_000);
    api.set(id, { status: 'completed', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(10_000);

    expect(api.polls(id)).toHaveLength(8); // 0, 10, ..., 70 s: as many as one tab alone
    expect(seen).toEqual(['first:pending', 'second:pending', 'first:completed', 'second:completed']);
  });

  it('shows a cancel at once, and a poll answered before it never undoes it', async () => {
    const { client, id } = await created();
    const updates: string[] = [];
    client.watch(id, (g) => updates.push(g.status));
    await vi.advanceTimersByTimeAsync(0);

    await client.cancel(id);
    await vi.advanceTimersByTimeAsync(60_000);

    expect(updates).toEqual(['pending', 'cancelled']);
  });

  it('stops polling once the deadline expires the generation: expired is an ending', async () => {
    const { client, id } = await created();
    const updates: string[] = [];
    client.watch(id, (g) => updates.push(`${g.status}:${g.cancelOutcome ?? '-'}`));
    await vi.advanceTimersByTimeAsync(0);

    api.set(id, { status: 'expired', cancelOutcome: 'before_call', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(10_000);
    const pollsAtTheEnd = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(60_000);

    expect(updates).toEqual(['pending:-', 'expired:before_call']);
    expect(api.polls(id)).toHaveLength(pollsAtTheEnd);
  });

  it('long-polls while visible where the server offers it: a change shows as it lands, and each answer is followed at once', async () => {
    api.longPoll = true;
    const { client, id } = await created();
    const updates: string[] = [];
    client.watch(id, (generation) => updates.push(generation.status));
    await vi.advanceTimersByTimeAsync(25_000); // the first long-poll, held 25 s: 304
    await vi.advanceTimersByTimeAsync(5_000); // the next, at once

    api.set(id, { status: 'completed', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(0);

    expect(api.polls(id).map((r) => r.headers.get('Prefer'))).toEqual(['wait=25', 'wait=25']);
    expect(updates).toEqual(['pending', 'completed']);
  });

  it('drops its long-poll when the page is hidden, and polls at the hidden pace without one', async () => {
    api.longPoll = true;
    const page = new FakePage();
    const { client, id } = await created(page);
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(1_000);

    page.hide();
    await vi.advanceTimersByTimeAsync(31_000);

    const polls = api.polls(id);
    expect(polls).toHaveLength(2);
    expect(polls[1]!.headers.get('Prefer')).toBeNull();
  });

  it('hidden between a long-poll\'s answer and the next, it waits the hidden pace instead of following at once', async () => {
    api.longPoll = true;
    const page = new FakePage();
    const { client, id } = await created(page);
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(200);
    api.set(id, { status: 'processing' }); // answers the long-poll in flight
    await vi.advanceTimersByTimeAsync(0);

    page.hide();
    await vi.advanceTimersByTimeAsync(25_000);
    const whileHidden = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(6_000);

    expect(whileHidden).toBe(1);
    expect(api.polls(id)).toHaveLength(2); // the next 30 s after the last, without Prefer
    expect(api.polls(id)[1]!.headers.get('Prefer')).toBeNull();
  });

  it('keeps the server\'s pace where the server ignores Prefer', async () => {
    const { client, id } = await created();
    client.watch(id, () => {});

    await vi.advanceTimersByTimeAsync(30_000);

    expect(api.polls(id)).toHaveLength(4); // at once, 10, 20, 30: no Preference-Applied, no hurry
  });
});
