import type { ApiError, NetworkError } from './errors.js';
import type { TokenSource } from './http.js';
import type { KeyValueStorage, StorageChanges } from './local-store.js';
import type { PageSignals } from './page-signals.js';
import type { TabLocks } from './tab-locks.js';
import type { Generation } from './types.js';

export interface NanoBananaClientOptions {
  /** Where the API is: the Functions app's origin, e.g. `https://my-app.azurewebsites.net` or `http://localhost:7071`. */
  baseUrl: string;
  /** The bearer token, asked for before each request (Supabase, Entra ID, Auth0: whatever signs the user in). */
  token: TokenSource;
  /** Seconds between polls while the page is hidden. Default 30: a background tab can still notify, a sleeping phone wastes nothing. */
  hiddenPollSeconds?: number;
  /** Seconds between polls when the server gives no hint. Default 10. */
  defaultPollSeconds?: number;
  /** Cap on waits after repeated failures. Default 60. */
  maxBackoffSeconds?: number;
  /** A poll with no answer after this is given up and tried again (a long-poll gets its wait on top). Default 30. */
  pollTimeoutSeconds?: number;
  /**
   * While the page is visible, each poll asks the server to hold it until the generation changes, up to
   * this long (Prefer: wait=N); where the server does (Preference-Applied), a result shows as soon as it
   * lands. Default 25; 0 polls at the server's pace only.
   */
  longPollSeconds?: number;
  /**
   * Follow changes over the caller-wide event stream (GET /api/events) while the page is visible, with one
   * `changedSince` catch-up on each wake, instead of polling. Polling stays the fallback where streams fail.
   * Default true (the React Native entry turns it off: its fetch cannot read a body as it arrives).
   */
  live?: boolean;
  /** Tries per create while its answer is lost (no answer, 408, 5xx), one Idempotency-Key for all. Default 6 (about 30 s). */
  createAttempts?: number;
  /** Where creates, active ids and poll states are kept. Default localStorage; null keeps nothing across reloads. */
  storage?: KeyValueStorage | null;
  /** Key prefix in storage, and of the Web Lock names. Default `nanobanana`. */
  storagePrefix?: string;
  fetch?: typeof fetch;
  /** The page's visibility and wake-ups. Default: the browser's events. */
  page?: PageSignals;
  /** Cross-tab locks. Default: Web Locks. */
  locks?: TabLocks;
  /** Tells of other tabs' storage writes. Default: the `storage` event. */
  storageChanges?: StorageChanges;
  /** For back-off jitter. Default Math.random. */
  random?: () => number;
}

export interface CreateOptions {
  /** Defaults to a fresh UUID: one per logical create, kept for every repeat of it. */
  idempotencyKey?: string;
  /** A personal Gemini key (X-Gemini-Api-Key). Sent, never stored. */
  geminiApiKey?: string;
  signal?: AbortSignal;
}

export interface WatchOptions {
  /** Failures while watching; `fatal` ones (404: gone or not yours) end the watch. */
  onError?: (error: ApiError | NetworkError, fatal: boolean) => void;
  signal?: AbortSignal;
}

export interface Watch {
  /** Stops this watcher (polling stops when no watcher of the id is left). */
  stop(): void;
  /** The generation once it is completed, failed or cancelled; rejects on a fatal error or when stopped first. */
  readonly done: Promise<Generation>;
}

export interface LiveView {
  /** Stops this listener (the stream closes when nothing else follows). */
  stop(): void;
}
