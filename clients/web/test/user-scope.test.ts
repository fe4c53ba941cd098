import { describe, expect, it, vi } from 'vitest';
import { jwtSubject, sha256Hex, userScope } from '../src/user-scope.js';
import { FakeApi, FakeBrowser, freshFakes, offline } from './fakes.js';

/** A JWT-shaped token for `sub` (the client never checks signatures: the server does). */
function jwt(sub: string, iat = 1_767_225_600): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, iat, aud: 'authenticated' })}.signature`;
}

function storedKeys(browser: FakeBrowser): string[] {
  return [...Array(browser.storage.length).keys()].map((i) => browser.storage.key(i)!);
}

describe('user scope', () => {
  it('hashes with SHA-256 (FIPS 180-4 test vectors, one and two blocks)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('is the same for every token of one user, and differs between users', () => {
    expect(jwtSubject(jwt('alice'))).toBe('alice');
    expect(userScope(jwt('alice', 1))).toBe(userScope(jwt('alice', 2)));
    expect(userScope(jwt('alice'))).not.toBe(userScope(jwt('bob')));
    expect(userScope('opaque-token')).not.toBe(userScope(jwt('opaque-token')));
    expect(userScope(null)).toBeNull();
  });
});

describe('storage per user', () => {
  let api: FakeApi;
  let browser: FakeBrowser;
  freshFakes((fakes) => ({ api, browser } = fakes));

  /** Alice starts a create on a shared browser and loses its answer: it stays pending in storage. */
  async function alicesLostCreate(): Promise<void> {
    const alice = browser.tab(undefined, { token: () => jwt('alice'), createAttempts: 1 });
    api.next(offline);
    await alice.create({ prompt: "alice's banana" }).catch(() => {});
    expect(api.creates()).toHaveLength(1);
  }

  it("never re-sends another user's unanswered create: Bob's resume sends nothing, Alice's sends hers", async () => {
    await alicesLostCreate();

    // Act: the page reloads with Bob signed in; later Alice signs in again.
    const bobsIds = await browser.tab(undefined, { token: () => jwt('bob') }).resume();
    const bobsCreates = api.creates().length;
    const alicesIds = await browser.tab(undefined, { token: () => jwt('alice') }).resume();

    // Assert
    expect(bobsIds).toEqual([]);
    expect(bobsCreates).toBe(1);
    const resent = api.creates()[1]!;
    expect(resent.headers.get('Authorization')).toBe(`Bearer ${jwt('alice')}`);
    expect(resent.body).toEqual({ prompt: "alice's banana" });
    expect(alicesIds).toEqual([...api.generations.keys()]);
  });

  it('sends nothing when another user signs in while resume() is running', async () => {
    // Arrange: Alice has two unanswered creates; the token changes to Bob's after resume() started.
    await alicesLostCreate();
    api.next(offline);
    await browser.tab(undefined, { token: () => jwt('alice'), createAttempts: 1 }).create({ prompt: 'second' }).catch(() => {});
    let token = jwt('alice');
    const client = browser.tab(undefined, { token: () => token });
    api.next(() => {
      token = jwt('bob');
      return undefined; // the first re-send is answered; Bob signs in meanwhile
    });

    // Act
    const ids = await client.resume();

    // Assert: the first went out under Alice's token, the second never under Bob's.
    const resent = api.creates().slice(2);
    expect(resent).toHaveLength(1);
    expect(resent[0]!.headers.get('Authorization')).toBe(`Bearer ${jwt('alice')}`);
    expect(ids).toEqual([]);
  });

  it('keeps no user id in storage keys, only its hash', async () => {
    await alicesLostCreate();

    const keys = storedKeys(browser);

    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^nanobanana:${userScope(jwt('alice'))}:create:`));
    expect(keys.join()).not.toContain('alice');
  });

  it("signOut() forgets the user's creates, followed generations and poll states, and stops polling", async () => {
    // Arrange: one create answered (followed and polled), one lost.
    const alice = browser.tab(undefined, { token: () => jwt('alice'), createAttempts: 1 });
    const generation = await alice.create({ prompt: 'followed' });
    alice.watch(generation.id, () => {});
    await vi.advanceTimersByTimeAsync(0);
    api.next(offline);
    await alice.create({ prompt: 'lost' }).catch(() => {});
    const bob = browser.tab(undefined, { token: () => jwt('bob') });
    await bob.create({ prompt: "bob's" });
    const bobsKeys = storedKeys(browser).filter((key) => key.includes(userScope(jwt('bob'))!));

    // Act
    alice.signOut();
    const pollsAfter = api.polls(generation.id).length;
    await vi.advanceTimersByTimeAsync(60_000);

    // Assert: nothing of Alice's left or resumed, Bob's untouched, no more polls.
    expect(storedKeys(browser).filter((key) => key.includes(userScope(jwt('alice'))!))).toEqual([]);
    expect(storedKeys(browser).sort()).toEqual(bobsKeys.sort());
    expect(await browser.tab(undefined, { token: () => jwt('alice') }).resume()).toEqual([]);
    expect(api.creates().filter((r) => (r.body as { prompt: string }).prompt === 'lost')).toHaveLength(1);
    expect(api.polls(generation.id)).toHaveLength(pollsAfter);
  });

  it('drops state kept before it was per user: nobody can tell whose it is', async () => {
    browser.storage.setItem('nanobanana:create:old-key', JSON.stringify({ key: 'old-key', request: { prompt: 'whose?' }, createdAt: Date.now() }));
    browser.storage.setItem('nanobanana:active:some-id', JSON.stringify({ createdAt: Date.now() }));

    const ids = await browser.tab(undefined, { token: () => jwt('bob') }).resume();

    expect(ids).toEqual([]);
    expect(api.creates()).toHaveLength(0);
    expect(storedKeys(browser)).toEqual([]);
  });
});
