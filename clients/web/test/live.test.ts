import { describe, expect, it, vi } from 'vitest';
import type { Generation, GenerationEvent, LiveState } from '../src/index.js';
import { userScope } from '../src/user-scope.js';
import { FakeApi, FakeBrowser, FakePage, freshFakes, offline } from './fakes.js';

// The live view against the fake API with its event log on: GET /api/events while visible, one
// changedSince catch-up on wake, polling when streams fail.
describe('live: the event stream instead of polling', () => {
  let api: FakeApi;
  let browser: FakeBrowser;
  freshFakes((fakes) => {
    ({ api, browser } = fakes);
    api.streams = true;
  });

  async function watching(page = new FakePage()) {
    const client = browser.tab(page);
    const generation = await client.create({ prompt: 'a banana' });
    const updates: string[] = [];
    const watch = client.watch(generation.id, (g) => updates.push(g.status));
    await vi.advanceTimersByTimeAsync(0);
    return { client, page, id: generation.id, updates, watch };
  }

  const tokenKey = `nanobanana:${userScope('token-1')}:changes`;

  it('follows GET /api/events while visible: no polls while nothing happens, one read per change', async () => {
    const { client, id, updates } = await watching();
    await vi.advanceTimersByTimeAsync(120_000);
    const pollsWhileQuiet = api.polls(id).length;

    api.set(id, { status: 'processing' });
    await vi.advanceTimersByTimeAsync(0);
    api.set(id, { status: 'completed', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(0);

    expect(client.liveState).toBe('idle'); // it ended: nothing left to follow
    expect(pollsWhileQuiet).toBe(1); // the first read of the watch, nothing after it
    expect(api.polls(id)).toHaveLength(3);
    expect(api.streamRequests()).toHaveLength(1);
    expect(api.streamRequests()[0]!.headers.get('Authorization')).toBe('Bearer token-1');
    expect(updates).toEqual(['pending', 'processing', 'completed']);
  });

  it('still polls a generation waiting in line (its place moves with no event), and stops once it starts', async () => {
    const client = browser.tab();
    const id = api.add('a banana in a queue');
    api.set(id, { queue: { ahead: 3, estimatedStartAt: '2026-01-01T00:01:00Z', estimatedFinishAt: '2026-01-01T00:02:00Z' } });
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(30_500);
    const whileInLine = api.polls(id).length;

    api.set(id, { status: 'processing', queue: null });
    await vi.advanceTimersByTimeAsync(60_000);

    expect(client.liveState).toBe('following');
    expect(whileInLine).toBe(4); // at once, 10, 20, 30 s
    expect(api.polls(id)).toHaveLength(5); // then the read after its started event, and no more
  });

  it('an event whose read failed (the radio dropped) is read on the next wake, though the catch-up no longer lists it', async () => {
    const { page, id, updates } = await watching();
    api.next(offline, offline); // the read after the event, and its retry 1 s later

    api.set(id, { status: 'processing' });
    await vi.advanceTimersByTimeAsync(2_100); // the next retry would be at 3 s
    const beforeWake = [...updates];
    page.wake('online');
    await vi.advanceTimersByTimeAsync(100);

    expect(beforeWake).toEqual(['pending']);
    expect(updates).toEqual(['pending', 'processing']);
    expect(api.catchUps().at(-1)!.path).toBe('/api/generations?changedSince=2'); // the token was past its event already
  });

  it('an unread change keeps its retry when the stream opens again (the wake came just after a failed retry)', async () => {
    const { page, id, updates } = await watching();
    api.next(offline, offline, offline);
    api.set(id, { status: 'processing' });
    await vi.advanceTimersByTimeAsync(3_000); // failed at 0, 1 and 3 s; the next back-off is 4 s
    page.wake('online'); // within a second of the last try: the wake's poll waits for the gap, the stream reopens meanwhile
    await vi.advanceTimersByTimeAsync(1_100);

    expect(updates).toEqual(['pending', 'processing']);
  });

  it('closes the stream when the page is hidden or frozen, and polls at the hidden pace meanwhile', async () => {
    const { client, page, id } = await watching();
    const stream = api.streamRequests()[0]!;

    page.hide();
    await vi.advanceTimersByTimeAsync(61_000);

    expect(client.liveState).toBe('paused');
    expect(api.streamRequests()).toHaveLength(1);
    expect(api.requests.indexOf(stream)).toBeGreaterThanOrEqual(0);
    expect(api.polls(id)).toHaveLength(3); // at 0 (visible), then 30 and 60 s: push tells a sleeping phone
  });

  it('on wake: one changedSince request for 50 changed generations, then the stream again after the new token, and no per-generation poll', async () => {
    const page = new FakePage();
    const client = browser.tab(page);
    const ids = Array.from({ length: 50 }, (_, i) => api.add(`banana ${i}`));
    const seen = new Map<string, string[]>(ids.map((id) => [id, []]));
    ids.forEach((id) => client.watch(id, (g) => seen.get(id)!.push(g.status)));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.liveState).toBe('following');

    page.hide();
    await vi.advanceTimersByTimeAsync(5_000);
    ids.forEach((id) => api.set(id, { status: 'completed', pollAfterSeconds: null }));
    const before = api.requests.length;
    page.show('resume');
    await vi.advanceTimersByTimeAsync(0);
    const sinceWake = api.requests.slice(before);

    expect(sinceWake.map((r) => r.path)).toEqual([`/api/generations?changedSince=${ids.length}`]);
    expect(new Set([...seen.values()].map((statuses) => statuses.join()))).toEqual(new Set(["pending,completed"]));
    expect(JSON.parse(browser.storage.getItem(tokenKey)!)).toMatchObject({ token: String(api.events.length) });
  });

  it('asks again while the answer says more, then opens the stream after the last token', async () => {
    api.changesBatchSize = 20;
    const page = new FakePage();
    const client = browser.tab(page);
    const changed: Generation[] = [];
    client.live({ onChange: (generations) => changed.push(...generations) });
    await vi.advanceTimersByTimeAsync(0);
    page.hide();
    const ids = Array.from({ length: 45 }, (_, i) => api.add(`banana ${i}`));

    page.show('visible');
    await vi.advanceTimersByTimeAsync(0);

    expect(api.catchUps().map((r) => r.path)).toEqual(['0', '0', '20', '40'].map((t) => `/api/generations?changedSince=${t}`));
    expect(api.streamRequests().map((r) => r.headers.get('Last-Event-ID'))).toEqual(['0', '45']);
    expect(changed.map((g) => g.id)).toEqual(ids);
  });

  it('resumes after the server ends the stream with the last id it saw: every event once', async () => {
    const { client, id } = await watching();
    const events: GenerationEvent[] = [];
    client.live({ onEvent: (event) => events.push(event) });

    api.set(id, { status: 'processing' });
    await vi.advanceTimersByTimeAsync(0);
    api.endStreams(); // the server's 220 s are up
    api.record(id, 'draft');
    await vi.advanceTimersByTimeAsync(1_000);
    api.set(id, { status: 'completed', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(0);

    expect(api.streamRequests().map((r) => r.headers.get('Last-Event-ID'))).toEqual(['1', '2']);
    expect(events.map((e) => `${e.cursor}:${e.kind}`)).toEqual(['2:started', '3:draft', '4:stored', '5:completed']);
  });

  it('keeps the token in storage: a reload catches up from it, not from the start', async () => {
    const first = await watching();
    api.set(first.id, { status: 'processing' });
    await vi.advanceTimersByTimeAsync(0);
    const saved = JSON.parse(browser.storage.getItem(tokenKey)!) as { token: string };

    const reloaded = browser.tab();
    reloaded.watch(first.id, () => {});
    await vi.advanceTimersByTimeAsync(0);

    expect(saved.token).toBe('2');
    expect(api.catchUps().at(-1)!.path).toBe('/api/generations?changedSince=2');
  });

  it('the caller-wide view hears of a generation made on another device, read once', async () => {
    const page = new FakePage();
    const client = browser.tab(page);
    const changed: string[] = [];
    const states: LiveState[] = [];
    client.live({ onChange: (generations) => changed.push(...generations.map((g) => `${g.prompt}:${g.status}`)), onState: (state) => states.push(state) });
    await vi.advanceTimersByTimeAsync(0);

    const id = api.add('from the laptop');
    await vi.advanceTimersByTimeAsync(0);
    api.set(id, { status: 'completed', pollAfterSeconds: null });
    await vi.advanceTimersByTimeAsync(0);

    expect(changed).toEqual(['from the laptop:pending', 'from the laptop:completed']);
    expect(api.requests.filter((r) => r.path === `/api/generations/${id}`)).toHaveLength(2);
    expect(states).toEqual(['idle', 'connecting', 'following']);
  });

  it('falls back to polling when streams never send (a proxy that buffers them), and tries again on the next wake', async () => {
    api.streamScripts.push({ silent: true }, { silent: true }, { silent: true });
    const { client, page, id } = await watching();
    await vi.advanceTimersByTimeAsync(33_000); // 10 s each, with 1 and 2 s between
    const fellBack = client.liveState;
    const pollsBefore = api.polls(id).length;
    await vi.advanceTimersByTimeAsync(30_000);
    const pollsWhileFallenBack = api.polls(id).length - pollsBefore;
    page.wake('focus'); // a click into the page: nothing was missed, the stream is not tried for it
    await vi.advanceTimersByTimeAsync(0);
    const catchUpsAfterFocus = api.catchUps().length;

    page.wake('online');
    await vi.advanceTimersByTimeAsync(0);

    expect(fellBack).toBe('polling');
    expect(catchUpsAfterFocus).toBe(1);
    expect(pollsWhileFallenBack).toBe(3); // every 10 s, as without streams
    expect(client.liveState).toBe('following');
    expect(api.streamRequests()).toHaveLength(4);
  });

  it('a wake while the stream is only reconnecting (backing off after failures) catches up at once', async () => {
    const { client, page, id, updates } = await watching();
    api.streamScripts.push({ silent: true }, { silent: true });
    api.endStreams(); // the server's 220 s are up; the next two connections send nothing
    await vi.advanceTimersByTimeAsync(11_500); // reconnected after 1 s, given up 10 s later: backing off
    const reconnecting = client.liveState;
    const catchUpsBefore = api.catchUps().length;
    api.set(id, { status: 'completed', pollAfterSeconds: null }); // told on no stream: none is sending

    page.wake('online'); // the phone's radio came back
    await vi.advanceTimersByTimeAsync(0);

    expect(reconnecting).toBe('resuming');
    expect(api.catchUps()).toHaveLength(catchUpsBefore + 1);
    expect(updates).toEqual(['pending', 'completed']);
  });

  it('against an API without events: one changedSince that is ignored, no stream, and polling as before', async () => {
    api.streams = false;
    const { client, id } = await watching();
    await vi.advanceTimersByTimeAsync(30_000);

    expect(client.liveState).toBe('polling');
    expect(api.catchUps()).toHaveLength(1);
    expect(api.streamRequests()).toHaveLength(0);
    expect(api.polls(id)).toHaveLength(4);
  });

  it('signOut closes the stream and forgets the token', async () => {
    const { client } = await watching();
    expect(browser.storage.getItem(tokenKey)).not.toBeNull();

    client.signOut();

    expect(client.liveState).toBe('idle');
    expect(browser.storage.getItem(tokenKey)).toBeNull();
  });
});
