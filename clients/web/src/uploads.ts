import { NetworkError, isAbortError } from './errors.js';
import type { KeyValueStorage } from './local-store.js';
import type { Upload } from './types.js';

/** Bytes per Put Block: a dropped network costs at most this much again. */
export const defaultBlockBytes = 1024 * 1024;

/** Where an upload stands, kept in storage so a later `upload(sameFile)` (even after a reload) goes on from the last block Blob Storage took. */
export interface UploadProgress {
  id: string;
  uploadUrl: string;
  expiresAt: string;
  blockBytes: number;
  /** Blocks Blob Storage answered 201 for, in order: the upload resumes after them. */
  blocksDone: number;
}

export interface BlockUploadOptions {
  fetch: typeof fetch;
  storage: KeyValueStorage | null;
  storageKey: string;
  blockBytes?: number | undefined;
  /** Tries per block before giving up (the progress stays, for the next call). */
  attemptsPerBlock?: number;
  signal?: AbortSignal | undefined;
  now?: () => number;
  onProgress?: ((sentBytes: number, totalBytes: number) => void) | undefined;
}

/**
 * Puts a file to Blob Storage with nothing but its SAS URL: Put Block per slice, then Put Block List.
 * Each block Blob Storage takes is recorded, so a dropped network (or a closed tab) resumes from the
 * next block instead of from the start, as long as the URL has not expired.
 */
export async function putInBlocks(file: Blob, open: () => Promise<Upload>, options: BlockUploadOptions): Promise<string> {
  const now = options.now ?? Date.now;
  const blockBytes = options.blockBytes ?? defaultBlockBytes;
  let progress = readProgress(options.storage, options.storageKey);
  // A URL about to expire would fail mid-way: start over with a new upload.
  if (!progress || Date.parse(progress.expiresAt) - now() < 30_000) {
    const upload = await open();
    progress = { id: upload.id, uploadUrl: upload.uploadUrl, expiresAt: upload.expiresAt, blockBytes, blocksDone: 0 };
    writeProgress(options.storage, options.storageKey, progress);
  }

  const blocks = Math.max(1, Math.ceil(file.size / progress.blockBytes));
  for (let index = progress.blocksDone; index < blocks; index++) {
    const slice = file.slice(index * progress.blockBytes, Math.min(file.size, (index + 1) * progress.blockBytes));
    const url = progress.uploadUrl;
    await withRetries(options, () => put(options, withQuery(url, `comp=block&blockid=${encodeURIComponent(blockId(index))}`), slice));
    progress = { ...progress, blocksDone: index + 1 };
    writeProgress(options.storage, options.storageKey, progress);
    options.onProgress?.(Math.min(file.size, (index + 1) * progress.blockBytes), file.size);
  }

  const url = progress.uploadUrl;
  const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${Array.from({ length: blocks }, (_, i) => `<Latest>${blockId(i)}</Latest>`).join('')}</BlockList>`;
  await withRetries(options, () => put(options, withQuery(url, 'comp=blocklist'), list, { 'x-ms-blob-content-type': file.type || 'application/octet-stream' }));
  options.storage?.removeItem(options.storageKey);
  return progress.id;
}

/** Block ids must all have one length: base64 of a zero-padded index. */
export function blockId(index: number): string {
  return btoa(`block-${index.toString().padStart(6, '0')}`);
}

async function put(options: BlockUploadOptions, url: string, body: Blob | string, headers: Record<string, string> = {}): Promise<void> {
  let response: Response;
  try {
    response = await options.fetch(url, { method: 'PUT', body, headers: { 'x-ms-version': '2021-08-06', ...headers }, signal: options.signal ?? null });
  } catch (error) {
    if (isAbortError(error)) {
      throw error;
    }

    throw new NetworkError('Blob Storage got no answer', { cause: error });
  }

  if (!response.ok) {
    throw new UploadRefused(response.status);
  }
}

async function withRetries(options: BlockUploadOptions, send: () => Promise<void>): Promise<void> {
  const attempts = options.attemptsPerBlock ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      // Only a lost answer is worth another try; a refusal (expired URL, 403) is not.
      if (!(error instanceof NetworkError) || attempt >= attempts) {
        throw error;
      }

      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
  }
}

function withQuery(url: string, query: string): string {
  return url.includes('?') ? `${url}&${query}` : `${url}?${query}`;
}

function readProgress(storage: KeyValueStorage | null, key: string): UploadProgress | undefined {
  try {
    const text = storage?.getItem(key);
    return text ? (JSON.parse(text) as UploadProgress) : undefined;
  } catch {
    return undefined;
  }
}

function writeProgress(storage: KeyValueStorage | null, key: string, progress: UploadProgress): void {
  try {
    storage?.setItem(key, JSON.stringify(progress));
  } catch {
    // storage full or denied: the upload still works, it only cannot resume
  }
}

/** Blob Storage refused a block or the block list (an expired or wrong URL): upload again from the start. */
export class UploadRefused extends Error {
  constructor(readonly status: number) {
    super(`Blob Storage refused the upload (HTTP ${status})`);
    this.name = 'UploadRefused';
  }
}

/** What identifies "the same file" for resuming: its name, size, type and modification time. */
export function fileKey(file: Blob): string {
  const named = file as Blob & { name?: string; lastModified?: number };
  return `${named.name ?? 'blob'}:${file.size}:${file.type}:${named.lastModified ?? 0}`;
}
