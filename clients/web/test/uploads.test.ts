import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/local-store.js';
import { UploadRefused, blockId, putInBlocks } from '../src/uploads.js';
import type { Upload } from '../src/types.js';

const uploadUrl = 'https://account.blob.core.windows.net/reference-uploads/u1?sv=2025&sp=cw&sig=abc';

/** Blob Storage as the SAS URL sees it: staged blocks by id, a committed list, and scripted network drops. */
function fakeBlobStorage() {
  const staged = new Map<string, number>();
  const puts: string[] = [];
  let committed: string[] | undefined;
  let contentType: string | undefined;
  const dropAt = new Set<number>();
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const n = puts.push(url.search);
    if (dropAt.has(n)) {
      throw new TypeError('Failed to fetch'); // what a browser throws when the network drops
    }

    if (url.searchParams.get('comp') === 'block') {
      staged.set(url.searchParams.get('blockid')!, (init!.body as Blob).size);
      return new Response(null, { status: 201 });
    }

    const body = String(init!.body);
    committed = [...body.matchAll(/<Latest>([^<]+)<\/Latest>/g)].map((m) => m[1]!);
    contentType = new Headers(init!.headers).get('x-ms-blob-content-type') ?? undefined;
    return new Response(null, { status: committed.every((id) => staged.has(id)) ? 201 : 400 });
  };
  return { fetch, staged, puts, dropAt, committed: () => committed, contentType: () => contentType };
}

const opened = (): Upload => ({ id: 'u1', uploadUrl, expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(), maxBytes: 7 * 1024 * 1024 });

describe('putInBlocks', () => {
  it('puts each block, then the block list with the file type, and forgets its progress', async () => {
    const storage = new MemoryStorage();
    const blob = fakeBlobStorage();
    const file = new Blob([new Uint8Array(10_000)], { type: 'image/png' });

    const id = await putInBlocks(file, async () => opened(), { fetch: blob.fetch, storage, storageKey: 'k', blockBytes: 4096 });

    expect(id).toBe('u1');
    expect([...blob.staged.values()]).toEqual([4096, 4096, 1808]);
    expect(blob.committed()).toEqual([blockId(0), blockId(1), blockId(2)]);
    expect(blob.contentType()).toBe('image/png');
    expect(storage.getItem('k')).toBeNull();
  });

  it('resumes after a dropped network from the last block Blob Storage took, without a new upload', async () => {
    const storage = new MemoryStorage();
    const blob = fakeBlobStorage();
    const file = new Blob([new Uint8Array(5 * 4096)], { type: 'image/jpeg' });
    let opens = 0;
    const open = async () => (opens++, opened());
    blob.dropAt.add(3); // the third block's PUT: the network goes

    await expect(putInBlocks(file, open, { fetch: blob.fetch, storage, storageKey: 'k', blockBytes: 4096, attemptsPerBlock: 1 })).rejects.toThrow('no answer');
    const kept = JSON.parse(storage.getItem('k')!);
    await putInBlocks(file, open, { fetch: blob.fetch, storage, storageKey: 'k', blockBytes: 4096, attemptsPerBlock: 1 });

    expect(kept.blocksDone).toBe(2);
    expect(opens).toBe(1);
    // blocks 0 and 1 once; block 2 twice (dropped, then again); 3, 4 and the list once
    expect(blob.puts.filter((q) => q.includes(encodeURIComponent(blockId(0))))).toHaveLength(1);
    expect(blob.puts.filter((q) => q.includes(encodeURIComponent(blockId(2))))).toHaveLength(2);
    expect(blob.committed()).toEqual([0, 1, 2, 3, 4].map(blockId));
  });

  it('retries a dropped block within one call', async () => {
    const blob = fakeBlobStorage();
    blob.dropAt.add(1);

    await putInBlocks(new Blob([new Uint8Array(100)]), async () => opened(), { fetch: blob.fetch, storage: null, storageKey: 'k' });

    expect(blob.puts).toHaveLength(3); // the dropped block, itself again, the list
  });

  it('starts a new upload when the kept one is about to expire, and does not retry a refusal', async () => {
    const storage = new MemoryStorage();
    storage.setItem('k', JSON.stringify({ id: 'old', uploadUrl, expiresAt: new Date(Date.now() + 1000).toISOString(), blockBytes: 4096, blocksDone: 1 }));
    let opens = 0;
    const refusing: typeof fetch = async () => new Response(null, { status: 403 });

    await expect(putInBlocks(new Blob([new Uint8Array(10)]), async () => (opens++, opened()), { fetch: refusing, storage, storageKey: 'k' })).rejects.toBeInstanceOf(UploadRefused);

    expect(opens).toBe(1);
    expect(JSON.parse(storage.getItem('k')!).id).toBe('u1');
  });
});
