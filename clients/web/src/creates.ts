import { backoffSeconds, sleep } from './backoff.js';
import { ApiError, NetworkError } from './errors.js';
import type { Http } from './http.js';
import type { PendingCreate } from './local-store.js';
import type { PageSignals } from './page-signals.js';
import type { Generation } from './types.js';

export interface Created {
  generation: Generation;
  etag: string | undefined;
}

export interface SendCreateOptions {
  geminiApiKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface CreateSender {
  http: Http;
  page: PageSignals;
  attempts: number;
  maxBackoffSeconds: number;
  random: () => number;
}

/** Pending creates older than this are not sent again on resume: the person has long moved on. */
export const pendingCreateMaxAgeMs = 24 * 60 * 60 * 1000;

/**
 * POSTs a create with its Idempotency-Key, and again with the same key while the answer is lost
 * (no answer, 408, 5xx): the server answers a repeat with the generation the first one made, so a
 * dropped response never makes a second generation. Waits back off, and end early when the page
 * comes back online.
 */
export async function sendCreate(sender: CreateSender, pending: PendingCreate, options: SendCreateOptions): Promise<Created> {
  const headers: Record<string, string> = { 'Idempotency-Key': pending.key };
  if (options.geminiApiKey) {
    headers['X-Gemini-Api-Key'] = options.geminiApiKey;
  }

  for (let attempt = 1; ; attempt++) {
    try {
      const { value, response } = await sender.http.json<Generation>({
        method: 'POST',
        path: '/api/generations',
        body: pending.request,
        headers,
        signal: options.signal,
      });
      return { generation: value, etag: response.headers.get('ETag') ?? undefined };
    } catch (error) {
      if (!isAnswerLost(error) || attempt >= sender.attempts) {
        throw error;
      }

      const serverSays = error instanceof ApiError ? error.retryAfterSeconds : undefined;
      const seconds = serverSays ?? backoffSeconds(attempt, sender.maxBackoffSeconds, sender.random);
      await sleep(seconds * 1000, {
        signal: options.signal,
        wake: (listener) => sender.page.onWake((reason) => reason === 'online' && listener()),
      });
    }
  }
}

/** The request may or may not have been served: sending it again (same key) is the way to know. */
export function isAnswerLost(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof ApiError && (error.status === 408 || error.status >= 500));
}

/** An Idempotency-Key: a UUID v4 (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }

  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
