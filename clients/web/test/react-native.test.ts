// @vitest-environment node
// No window, document, localStorage or Web Locks: the core as a React Native app runs it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NanoBananaClient } from '../src/index.js';
import { createReactNativeClient, netInfoOnline, type AppStateLike, type AsyncStorageLike, type ReactNativeClientOptions } from '../src/react-native/index.js';
import { FakeApi, noAnswer, offline } from './fakes.js';

/**
 * AsyncStorage as the native module keeps it: a write is the module's once handed over (it outlives
 * the JavaScript that made it), and every call answers asynchronously.
 */
class FakeAsyncStorage implements AsyncStorageLike {
  readonly disk = new Map<string, string>();
  failWrites = false;

  getAllKeys = async () => [...this.disk.keys()];
  multiGet = async (keys: readonly string[]) => keys.map((key) => [key, this.disk.get(key) ?? null] as const);
  setItem = async (key: string, value: string) => {
    if (this.failWrites) {
      throw new Error('Database or disk is full');
    }

    this.disk.set(key, value);
  };
  removeItem = async (key: string) => void this.disk.delete(key);
}

/** React Native's AppState: the test moves the app between foreground and background. */
class FakeAppState implements AppStateLike {
  currentState = 'active';
  private readonly listeners = new Set<(state: string) => void>();

  addEventListener(_type: 'change', listener: (state: string) => void) {
    this.listeners.add(listener);
    return { remove: () => void this.listeners.delete(listener) };
  }

  moveTo(state: string): void {
    this.currentState = state;
    this.listeners.forEach((listener) => listener(state));
  }
}

/** NetInfo's event shape. */
class FakeNetInfo {
  private readonly listeners = new Set<(state: { isConnected: boolean | null; isInternetReachable?: boolean | null }) => void>();

  addEventListener(listener: (state: { isConnected: boolean | null; isInternetReachable?: boolean | null }) => void) {
    this.listeners.add(listener);
    listener({ isConnected: null });
    return () => void this.listeners.delete(listener);
  }

  set(isConnected: boolean): void {
    this.listeners.forEach((listener) => listener({ isConnected, isInternetReachable: isConnected }));
  }
}

function jwt(sub: string): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub })}.signature`;
}

describe('the React Native entry point (AsyncStorage, AppState, NetInfo)', () => {
  let api: FakeApi;
  let asyncStorage: FakeAsyncStorage;
  let appState: FakeAppState;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    // Hermes has no DOMException: the core must never name it.
    vi.stubGlobal('DOMException', undefined);
    api = new FakeApi();
    asyncStorage = new FakeAsyncStorage();
    appState = new FakeAppState();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  /** The app starting: a fresh JavaScript context over the same AsyncStorage. */
  function start(options: Partial<ReactNativeClientOptions> = {}): Promise<NanoBananaClient> {
    return createReactNativeClient({ baseUrl: 'http://api.test', token: () => jwt('alice'), fetch: api.fetch, random: () => 0.5, asyncStorage, appState, ...options });
  }

  it('runs without a browser: no window, document, localStorage, navigator.locks or DOMException', () => {
    expect([typeof window, typeof document, typeof localStorage, typeof DOMException]).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
  });

  it('sends a create whose answer was lost again after the app was killed and started again (same key)', async () => {
    // Arrange: the create goes out, its answer never comes, the app is killed.
    const before = await start({ createAttempts: 1 });
    api.next(offline);
    await expect(before.create({ prompt: 'a banana on a skateboard' })).rejects.toThrow();

    // Act: a new start over the same AsyncStorage.
    const after = await start();
    const ids = await after.resume();

    // Assert
    const [lost, resent] = api.creates();
    expect(resent?.headers.get('Idempotency-Key')).toBe(lost?.headers.get('Idempotency-Key'));
    expect(resent?.body).toEqual({ prompt: 'a banana on a skateboard' });
    expect(ids).toEqual([...api.generations.keys()]);
    expect(await (await start()).resume()).toEqual(ids); // followed until seen finished, not re-sent
    expect(api.creates()).toHaveLength(2);
  });

  it("resumes nothing of user A's for user B after a restart, and A's for A", async () => {
    const alice = await start({ token: () => jwt('alice'), createAttempts: 1 });
    api.next(offline);
    await alice.create({ prompt: "alice's banana" }).catch(() => {});

    const bobsIds = await (await start({ token: () => jwt('bob') })).resume();
    const bobsCreates = api.creates().length;
    const alicesIds = await (await start({ token: () => jwt('alice') })).resume();

    expect(bobsIds).toEqual([]);
    expect(bobsCreates).toBe(1);
    expect(api.creates()[1]?.headers.get('Authorization')).toBe(`Bearer ${jwt('alice')}`);
    expect(alicesIds).toHaveLength(1);
  });

  it('polls at once when the app comes back to the foreground (AppState active), at the hidden pace while in the background', async () => {
    // Arrange: a generation watched, its first poll done.
    const client = await start({ longPollSeconds: 0 });
    const { id } = await client.create({ prompt: 'watched' });
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(0);
    const first = api.polls(id).length;

    // Act: to the background for 20 s (the hidden pace is 30 s), then active again.
    appState.moveTo('background');
    await vi.advanceTimersByTimeAsync(20_000);
    const inBackground = api.polls(id).length;
    appState.moveTo('active');
    await vi.advanceTimersByTimeAsync(0);

    // Assert
    expect(first).toBe(1);
    expect(inBackground).toBe(first);
    expect(api.polls(id)).toHaveLength(first + 1);
  });

  it('drops a held long-poll when the app goes to the background', async () => {
    const client = await start();
    const { id } = await client.create({ prompt: 'held' });
    let held: AbortSignal | undefined;
    api.next((request, signal) => {
      held = signal;
      return noAnswer(request, signal);
    });
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(0);
    const asked = api.polls(id)[0]?.headers.get('Prefer');

    appState.moveTo('background');
    await vi.advanceTimersByTimeAsync(0);

    expect(asked).toBe('wait=25');
    expect(held?.aborted).toBe(true);
  });

  it('polls at once when NetInfo says the network is back', async () => {
    const netInfo = new FakeNetInfo();
    const client = await start({ online: netInfoOnline(netInfo), longPollSeconds: 0 });
    const { id } = await client.create({ prompt: 'offline for a while' });
    client.watch(id, () => {});
    await vi.advanceTimersByTimeAsync(0);
    netInfo.set(false);
    await vi.advanceTimersByTimeAsync(5_000);
    const whileOffline = api.polls(id).length;

    netInfo.set(true);
    await vi.advanceTimersByTimeAsync(0);

    expect(api.polls(id)).toHaveLength(whileOffline + 1);
  });

  it('keeps to its own keys and goes on in memory when AsyncStorage refuses a write', async () => {
    asyncStorage.disk.set('someone-else:setting', 'kept');
    const errors: unknown[] = [];
    asyncStorage.failWrites = true;
    const client = await start({ onStorageError: (error) => errors.push(error), createAttempts: 1 });
    api.next(offline);
    await client.create({ prompt: 'not kept on disk' }).catch(() => {});

    // The same run still re-sends it; a restart cannot.
    expect(await client.resume()).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
    expect([...asyncStorage.disk.keys()]).toEqual(['someone-else:setting']);
  });
});
