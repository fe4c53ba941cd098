import type { CreateOptions, LiveView, NanoBananaClientOptions, Watch, WatchOptions } from './client-options.js';
import { isAnswerLost, newIdempotencyKey, pendingCreateMaxAgeMs, sendCreate, type Created } from './creates.js';
import { abortReason } from './errors.js';
import { Http, apiError, type TokenSource } from './http.js';
import { downloadName, saveBlob } from './images.js';
import { fileKey, putInBlocks } from './uploads.js';
import { LocalStore, MemoryStorage, browserStorage, browserStorageChanges, type KeyValueStorage } from './local-store.js';
import { LiveFeed, type LiveListener, type LiveState } from './live-feed.js';
import { browserPageSignals, type PageSignals } from './page-signals.js';
import { GenerationPoller, type PollSettings } from './poller.js';
import { browserTabLocks, type TabLocks } from './tab-locks.js';
import { userScope } from './user-scope.js';
import { isTerminal, type CreateGenerationRequest, type ImageKind, type Generation, type GenerationPage, type HistoryQuery, type ModelList, type PushSubscriptionJson, type Upload, type UploadedImage } from './types.js';

/** Thrown by resume()'s token source when another user signed in mid-resume: nothing of the first user's is sent under the second's token. */
class UserChanged extends Error {}

/**
 * The NanoBanana API for a page: create, watch, resume after a reload, act on generations, read
 * history and images. Safe with several watchers and tabs on one generation: one poll in flight.
 * What it keeps in storage belongs to the user the token names (its `sub`): another user signed
 * in on the same browser sees and re-sends none of it, and `signOut()` forgets it.
 */
export class NanoBananaClient {
  private readonly http: Http;
  private readonly token: TokenSource;
  private readonly newHttp: (token: TokenSource) => Http;
  /** The last user scope seen, kept through a token-less moment so signOut() knows whose state to forget. */
  private lastScope: string | null = null;
  private readonly store: LocalStore;
  private readonly page: PageSignals;
  private readonly locks: TabLocks;
  private readonly settings: PollSettings;
  private readonly prefix: string;
  private readonly createAttempts: number;
  private readonly pollers = new Map<string, GenerationPoller>();
  private readonly fetchImpl: typeof fetch;
  private readonly uploadStorage: KeyValueStorage | null;
  private readonly liveFeed: LiveFeed;

  constructor(options: NanoBananaClientOptions) {
    this.prefix = options.storagePrefix ?? 'nanobanana';
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.fetchImpl = fetchImpl;
    this.uploadStorage = options.storage === undefined ? browserStorage() : options.storage;
    this.token = options.token;
    this.newHttp = (token) => new Http(options.baseUrl, token, fetchImpl);
    // Every request sets the storage scope to the user its token names, before its answer is stored.
    this.http = this.newHttp(async () => {
      const token = await this.token();
      this.useScopeOf(token);
      return token;
    });
    this.page = options.page ?? browserPageSignals();
    this.locks = options.locks ?? browserTabLocks();
    this.store = new LocalStore(
      options.storage === undefined ? browserStorage() : (options.storage ?? new MemoryStorage()),
      options.storageChanges ?? browserStorageChanges(),
      this.prefix,
    );
    this.settings = {
      hiddenPollSeconds: options.hiddenPollSeconds ?? 30,
      defaultPollSeconds: options.defaultPollSeconds ?? 10,
      maxBackoffSeconds: options.maxBackoffSeconds ?? 60,
      pollTimeoutSeconds: options.pollTimeoutSeconds ?? 30,
      longPollSeconds: options.longPollSeconds ?? 25,
      random: options.random ?? Math.random,
    };
    this.createAttempts = options.createAttempts ?? 6;
    this.liveFeed = new LiveFeed({
      http: this.http,
      store: this.store,
      page: this.page,
      enabled: options.live ?? true,
      settings: {
        firstByteMs: 10_000,
        idleMs: 45_000,
        maxBackoffSeconds: this.settings.maxBackoffSeconds,
        random: this.settings.random,
      },
      accept: (generation) => this.learned(generation),
      get: (id) => this.get(id),
    });
    this.store.removeUnscoped();
  }

  /**
   * Forgets what this browser kept for the signed-in user (unanswered creates, generations being
   * followed, poll states) and stops following them. Call it when the user signs out, before the
   * token is gone if you can; without a known user it forgets every user's state under the prefix.
   */
  signOut(): void {
    for (const poller of [...this.pollers.values()]) {
      poller.close();
    }

    this.pollers.clear();
    this.liveFeed.close();
    this.store.clear(this.store.scope ?? this.lastScope);
    this.store.useScope(null);
    this.lastScope = null;
  }

  /**
   * Starts a generation. The request is kept in storage with its Idempotency-Key before it is sent and
   * sent again with the same key while the answer is lost, here or by `resume()` after a reload.
   */
  async create(request: CreateGenerationRequest, options: CreateOptions = {}): Promise<Generation> {
    this.useScopeOf(await this.token());
    const pending = { key: options.idempotencyKey ?? newIdempotencyKey(), request, createdAt: Date.now() };
    // If it does not fit (large images), it is still sent and repeated, just not across a reload.
    this.store.savePendingCreate(pending);
    let created: Created;
    try {
      created = await sendCreate(this.sender(), pending, options);
    } catch (error) {
      // Still unanswered: left for resume() to send again. Refused or aborted: nothing to repeat.
      if (!isAnswerLost(error)) {
        this.store.removePendingCreate(pending.key);
      }

      throw error;
    }

    this.store.removePendingCreate(pending.key);
    return this.accept(created);
  }

  /**
   * After a reload or in a new tab: sends again the creates whose answer was lost, then returns the
   * ids of the generations this browser started and has not seen finish, newest first. Watch them.
   */
  async resume(): Promise<string[]> {
    const scope = this.useScopeOf(await this.token());
    if (scope === null) {
      return [];
    }

    // Sent only under a token of the same user: if another signs in meanwhile, the rest waits for the first.
    const http = this.newHttp(async () => {
      const token = await this.token();
      if (userScope(token) !== scope) {
        throw new UserChanged();
      }

      return token;
    });
    for (const pending of this.store.pendingCreates()) {
      if (Date.now() - pending.createdAt > pendingCreateMaxAgeMs) {
        this.store.removePendingCreate(pending.key, scope);
        continue;
      }

      try {
        const created = await sendCreate({ ...this.sender(), http, attempts: 1 }, pending, {});
        this.store.removePendingCreate(pending.key, scope);
        if (this.store.scope === scope) {
          this.accept(created);
        }
      } catch (error) {
        if (error instanceof UserChanged) {
          return [];
        }

        if (!isAnswerLost(error)) {
          this.store.removePendingCreate(pending.key, scope);
        }
      }
    }

    return this.store.scope === scope ? this.store.activeIds() : [];
  }

  /** Calls `onUpdate` with each new state of the generation until it is completed, failed or cancelled. */
  watch(id: string, onUpdate: (generation: Generation) => void, options: WatchOptions = {}): Watch {
    let settle: { resolve: (g: Generation) => void; reject: (e: unknown) => void } | undefined;
    const done = new Promise<Generation>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // a caller that never reads `done` must not see an unhandled rejection

    let stopped = false;
    let unsubscribe = () => {};
    const begin = () => {
      if (stopped) {
        return;
      }

      unsubscribe = this.poller(id).subscribe({
        update(generation) {
          onUpdate(generation);
          if (isTerminal(generation.status)) {
            settle?.resolve(generation);
          }
        },
        error(error, fatal) {
          options.onError?.(error, fatal);
          if (fatal) {
            settle?.reject(error);
          }
        },
      });
    };

    // The poller reads what other tabs stored for this user: the user must be known first.
    this.onceScoped(begin);
    const stop = () => {
      stopped = true;
      unsubscribe();
      options.signal?.removeEventListener('abort', stop);
      settle?.reject(abortReason('The watch was stopped.'));
    };
    options.signal?.addEventListener('abort', stop);
    return { stop, done };
  }

  private poller(id: string): GenerationPoller {
    let poller = this.pollers.get(id);
    if (!poller) {
      const created: GenerationPoller = new GenerationPoller(
        id,
        { http: this.http, store: this.store, locks: this.locks, page: this.page, settings: this.settings, lockPrefix: this.prefix, live: this.liveFeed },
        () => this.pollers.get(id) === created && this.pollers.delete(id),
      );
      poller = created;
      this.pollers.set(id, poller);
    }

    return poller;
  }

  /**
   * The caller-wide live view: every event of the caller's generations (`onEvent`) and every generation
   * that changed (`onChange`: from the catch-up on wake, or re-read after an event), from any device,
   * while the page is visible; `onState` says whether a stream follows or polling stands in. Watches
   * share its one stream. Stop it when the view goes.
   */
  live(listener: LiveListener): LiveView {
    let stopListening = () => {};
    let stopped = false;
    const begin = () => {
      if (!stopped) {
        stopListening = this.liveFeed.listen(listener);
      }
    };
    // The change token is kept per user: the user must be known first, as for watch().
    this.onceScoped(begin);
    return {
      stop: () => {
        stopped = true;
        stopListening();
      },
    };
  }

  /** How this page learns of changes now: following a stream, or polling (see LiveState). */
  get liveState(): LiveState {
    return this.liveFeed.state;
  }

  /** Waits for the generation to finish (Replicate's `wait`). */
  wait(id: string, options: Omit<WatchOptions, 'onError'> = {}): Promise<Generation> {
    const watch = this.watch(id, () => {}, options);
    return watch.done.finally(() => watch.stop());
  }

  async get(id: string): Promise<Generation> {
    return (await this.http.json<Generation>({ method: 'GET', path: generationPath(id) })).value;
  }

  /** Stops a pending or processing generation; the worker's late result is then discarded. */
  async cancel(id: string): Promise<Generation> {
    const { value, response } = await this.http.json<Generation>({ method: 'POST', path: `${generationPath(id)}/cancel` });
    return this.accept({ generation: value, etag: response.headers.get('ETag') ?? undefined });
  }

  /** Runs a failed or cancelled generation again (same id); watchers of it see it pending again. */
  async retry(id: string, options: { geminiApiKey?: string } = {}): Promise<Generation> {
    const headers: Record<string, string> = options.geminiApiKey ? { 'X-Gemini-Api-Key': options.geminiApiKey } : {};
    const { value, response } = await this.http.json<Generation>({ method: 'POST', path: `${generationPath(id)}/retry`, headers });
    return this.accept({ generation: value, etag: response.headers.get('ETag') ?? undefined });
  }

  /** Deletes the generation and its images. */
  async remove(id: string): Promise<void> {
    const response = await this.http.send({ method: 'DELETE', path: generationPath(id) });
    if (!response.ok) {
      throw await apiError(response);
    }

    this.store.removeActive(id);
    this.store.removePollState(id);
  }

  /** One page of the caller's generations, newest first; pass `nextCursor` back as `cursor` for the next. */
  async history(query: HistoryQuery = {}): Promise<GenerationPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) {
        params.set(name, String(value));
      }
    }

    const search = params.size > 0 ? `?${params}` : '';
    return (await this.http.json<GenerationPage>({ method: 'GET', path: `/api/generations${search}` })).value;
  }

  /**
   * Uploads a reference image straight to Blob Storage (POST /uploads, then Put Block per 1 MB and Put
   * Block List with the write-only URL it returns) and gives what to put in a create's `images`. A dropped
   * network is retried per block; if the upload still fails, calling it again with the same file (even
   * after a reload) resumes from the last block Blob Storage took, while its URL lasts.
   */
  async upload(file: Blob, options: { signal?: AbortSignal; blockBytes?: number; onProgress?: (sent: number, total: number) => void } = {}): Promise<UploadedImage> {
    const open = async (): Promise<Upload> =>
      (await this.http.json<Upload>({ method: 'POST', path: '/api/uploads', body: { mimeType: file.type, bytes: file.size }, signal: options.signal })).value;
    const uploadId = await putInBlocks(file, open, {
      fetch: this.fetchImpl,
      storage: this.uploadStorage,
      storageKey: `${this.prefix}:upload:${fileKey(file)}`,
      blockBytes: options.blockBytes,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return { uploadId };
  }

  /**
   * The models this deployment offers, the default first, each with what a create may ask of it
   * (aspect ratios, sizes, how many reference images of which types): build a form's choices from it.
   */
  async models(): Promise<ModelList> {
    return (await this.http.json<ModelList>({ method: 'GET', path: '/api/models' })).value;
  }

  /** The key to subscribe to Web Push with (pushManager.subscribe's applicationServerKey); null where the server has no push. */
  async vapidPublicKey(): Promise<string | null> {
    const response = await this.http.send({ method: 'GET', path: '/api/push/vapid-public-key' });
    if (response.status === 501) {
      return null;
    }

    if (!response.ok) {
      throw await apiError(response);
    }

    return ((await response.json()) as { publicKey: string }).publicKey;
  }

  /** Tells the API to push this browser when the caller's generations end (the body is PushSubscription.toJSON()). */
  async subscribePush(subscription: PushSubscriptionJson | globalThis.PushSubscriptionJSON): Promise<void> {
    await this.http.json({ method: 'POST', path: '/api/push-subscriptions', body: subscription });
  }

  /** Stops pushes to this browser (e.g. on sign-out). */
  async unsubscribePush(endpoint: string): Promise<void> {
    const response = await this.http.send({ method: 'DELETE', path: `/api/push-subscriptions?endpoint=${encodeURIComponent(endpoint)}` });
    if (!response.ok && response.status !== 404) {
      throw await apiError(response);
    }
  }

  /**
   * A result image's bytes (the endpoint needs the bearer token, so an <img src> cannot fetch it);
   * `kind: 'draft'` for the index-th of `generation.drafts` (an interim image while the model thinks).
   */
  async imageBlob(id: string, index = 0, kind: ImageKind = 'result'): Promise<Blob> {
    return (await this.image(id, index, kind)).blob();
  }

  /** An object URL of a result (or draft) image for <img src>; revoke it (URL.revokeObjectURL) when done. */
  async imageUrl(id: string, index = 0, kind: ImageKind = 'result'): Promise<string> {
    return URL.createObjectURL(await this.imageBlob(id, index, kind));
  }

  /** Saves a result image as a file with its real type (e.g. `<id>-0.png`). */
  async download(id: string, index = 0, filename?: string): Promise<void> {
    const response = await this.image(id, index);
    const blob = await response.blob();
    saveBlob(blob, filename ?? downloadName(response.headers.get('Content-Disposition'), id, index, blob.type));
  }

  private async image(id: string, index: number, kind: ImageKind = 'result'): Promise<Response> {
    // The HTTP cache may answer: a completed generation's images never change, nor does a draft.
    const query = kind === 'draft' ? `draft=${index}` : `index=${index}`;
    const response = await this.http.send({ method: 'GET', path: `${generationPath(id)}/image?${query}`, cache: 'default' });
    if (!response.ok) {
      throw await apiError(response);
    }

    return response;
  }

  /** An answer from the server: remembered for watchers in every tab. */
  private accept({ generation, etag }: Created): Generation {
    if (!isTerminal(generation.status)) {
      this.store.addActive(generation.id, Date.parse(generation.createdAt) || Date.now());
    }

    const previous = this.store.pollState(generation.id);
    this.store.savePollState(generation.id, { polledAt: previous?.polledAt ?? 0, ...(etag ? { etag } : {}), generation, receivedAt: Date.now() });
    this.pollers.get(generation.id)?.offer(generation, etag);
    return generation;
  }

  /**
   * A state the live view learned (a catch-up, a re-read): for the generation's watchers and other tabs.
   * Not marked as started here: catch-ups list other devices' generations too.
   */
  private learned(generation: Generation): void {
    if (isTerminal(generation.status)) {
      this.store.removeActive(generation.id);
    }

    const poller = this.pollers.get(generation.id);
    const previous = this.store.pollState(generation.id);
    if (poller || previous) {
      this.store.savePollState(generation.id, { polledAt: previous?.polledAt ?? 0, ...(previous?.etag ? { etag: previous.etag } : {}), generation, receivedAt: Date.now() });
    }

    poller?.offer(generation, previous?.etag);
  }

  /**
   * Calls `begin` once the current user's scope is in use: at once when the token source answers
   * synchronously, else when it answers (and when it fails too: the first request then reports it).
   */
  private onceScoped(begin: () => void): void {
    const token = this.token();
    if (token instanceof Promise) {
      void token.then((value) => {
        this.useScopeOf(value);
        begin();
      }, begin);
    } else {
      this.useScopeOf(token);
      begin();
    }
  }

  /** Reads and writes the state of the user this token names from now on; returns that user's scope. */
  private useScopeOf(token: string | null | undefined): string | null {
    const scope = userScope(token);
    if (scope !== this.store.scope) {
      this.store.useScope(scope);
      if (scope !== null) {
        this.lastScope = scope;
        this.store.prune();
      }
    }

    return scope;
  }

  private sender() {
    return { http: this.http, page: this.page, attempts: this.createAttempts, maxBackoffSeconds: this.settings.maxBackoffSeconds, random: this.settings.random };
  }
}

function generationPath(id: string): string {
  return `/api/generations/${encodeURIComponent(id)}`;
}
