import { backoffSeconds } from './backoff.js';
import { ApiError, NetworkError, abortReason, isAbortError } from './errors.js';
import { apiError, retryAfterSeconds, type Http } from './http.js';
import type { LocalStore, PollState } from './local-store.js';
import type { PageSignals } from './page-signals.js';
import type { TabLocks } from './tab-locks.js';
import { isTerminal, type Generation } from './types.js';

export interface PollSettings {
  /** Seconds between polls while the page is hidden (unless the server asks for longer). */
  hiddenPollSeconds: number;
  /** Seconds between polls when the server gives no hint. */
  defaultPollSeconds: number;
  /** Cap on the wait after repeated failures. */
  maxBackoffSeconds: number;
  /** A poll with no answer by then is given up (a half-dead radio can hold a request for minutes); a long-poll gets its wait on top. */
  pollTimeoutSeconds: number;
  /** The wait a visible page asks for (Prefer: wait=N) where the server offers long-polling; 0 never asks. */
  longPollSeconds: number;
  random: () => number;
}

export interface PollerDependencies {
  http: Http;
  store: LocalStore;
  locks: TabLocks;
  page: PageSignals;
  settings: PollSettings;
  lockPrefix: string;
}

export interface PollListener {
  update(generation: Generation): void;
  error(error: ApiError | NetworkError, fatal: boolean): void;
}

/** A wake-up poll is skipped only if some tab polled this recently. */
const wakeGapMs = 1000;

/** When another poller holds the lock, look again this much later. */
const busyRecheckMs = 500;

/** Why a poll is being considered: its interval is up, the page woke, a failed poll is being retried, or a long-poll answered. */
type Reason = 'interval' | 'wake' | 'retry' | 'longpoll';

/**
 * Polls one generation for every watcher of it in this tab, and, through a Web Lock and the poll time
 * kept in localStorage, for every tab: one request in flight at a time, and one per interval between
 * all of them. Conditional (If-None-Match), paced by the server's pollAfterSeconds/Retry-After, slower
 * while hidden, at once when the page wakes, backing off on failures; stops at a terminal status and
 * starts again if a retry makes the generation pending. While the page is visible it asks the server to
 * hold each poll until the generation changes (Prefer: wait=N); once the server says it does
 * (Preference-Applied), the next poll follows each answer at once, so a result shows as it lands.
 * A hidden page drops its long-poll and polls at the hidden pace (Web Push tells a sleeping phone).
 */
export class GenerationPoller {
  private readonly listeners = new Set<PollListener>();
  private readonly unsubscribe: (() => void)[] = [];
  private generation: Generation | undefined;
  private etag: string | undefined;
  private hintSeconds: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  /** The server asked not to be called before this (Retry-After on 429/503). */
  private notBefore = 0;
  /** Bumped by every state that arrives from outside a poll, so a poll answered meanwhile is not applied over it. */
  private epoch = 0;
  private polling = false;
  private finished = false;
  private started = false;
  private disposed = false;
  private disposeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The server holds polls until something changes (it answered Preference-Applied: wait=...). */
  private longPolling = false;
  /** The long-poll in flight, dropped when the page is hidden. */
  private inFlight: AbortController | undefined;

  constructor(
    readonly id: string,
    private readonly deps: PollerDependencies,
    private readonly onDisposed: () => void,
  ) {}

  subscribe(listener: PollListener): () => void {
    this.listeners.add(listener);
    clearTimeout(this.disposeTimer);
    if (!this.started) {
      this.started = true;
      this.start();
    } else if (this.generation) {
      const known = this.generation;
      queueMicrotask(() => this.listeners.has(listener) && listener.update(known));
    }

    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        // Not at once: a watcher that stops and starts again in one go (a React remount) keeps this poller.
        this.disposeTimer = setTimeout(() => this.listeners.size === 0 && this.dispose(), 0);
      }
    };
  }

  /** A state learned without polling (an action's answer, another tab's poll). */
  offer(generation: Generation, etag: string | undefined): void {
    this.epoch++;
    this.etag = etag;
    this.deliver(generation);
    if (!isTerminal(generation.status) && this.finished) {
      this.finished = false;
      this.schedule(this.intervalMs());
    }
  }

  private start(): void {
    const { store, page } = this.deps;
    this.unsubscribe.push(
      page.onWake(() => this.wake()),
      page.onHide?.(() => this.inFlight?.abort(abortReason('The page was hidden.'))) ?? (() => {}),
      store.onPollState(this.id, (state) => this.adopt(state)),
    );
    const shared = store.pollState(this.id);
    if (shared) {
      this.adopt(shared);
    }

    // Like the original page: ask at once, then at the server's pace.
    void this.tick('wake');
  }

  private wake(): void {
    if (this.disposed || !this.deps.page.isOnline()) {
      return;
    }

    void this.tick('wake');
  }

  private adopt(state: PollState): void {
    if (state.generation && state.etag !== this.etag) {
      this.offer(aged(state.generation, state.receivedAt), state.etag);
    }
  }

  private intervalMs(): number {
    const { settings, page } = this.deps;
    const hint = this.generation?.pollAfterSeconds ?? this.hintSeconds ?? settings.defaultPollSeconds;
    return (page.isHidden() ? Math.max(hint, settings.hiddenPollSeconds) : hint) * 1000;
  }

  private schedule(delayMs: number, reason: Reason = 'interval'): void {
    clearTimeout(this.timer);
    if (!this.disposed && !this.finished) {
      this.timer = setTimeout(() => void this.tick(reason), Math.max(0, delayMs));
    }
  }

  /** Polls if it is time (for a wake-up: unless a tab just did), else waits until it is. */
  private async tick(reason: Reason): Promise<void> {
    if (this.disposed || this.finished || this.polling) {
      return;
    }

    const wait = this.wait(reason);
    if (wait > 0) {
      this.schedule(wait, reason);
      return;
    }

    this.polling = true;
    try {
      const lock = `${this.deps.lockPrefix}:poll:${this.id}`;
      const outcome = await this.deps.locks.tryExclusive(lock, () => this.pollIfStillDue(reason), this.holderHasHung());
      if (!outcome.ran) {
        // Another poller is asking right now (its answer arrives through storage): look again shortly,
        // by then it has marked its poll, so this waits a full interval from it (or polls, if it gave up).
        this.schedule(busyRecheckMs);
      }
    } finally {
      this.polling = false;
    }
  }

  /** The last poll started long before any poll can last: whoever holds the lock is frozen or gone. */
  private holderHasHung(): boolean {
    const polledAt = this.deps.store.pollState(this.id)?.polledAt ?? 0;
    const { pollTimeoutSeconds, longPollSeconds } = this.deps.settings;
    const held = this.longPolling ? longPollSeconds : 0;
    return polledAt > 0 && Date.now() - polledAt > 2 * (pollTimeoutSeconds + held) * 1000 + this.intervalMs();
  }

  /** Milliseconds until a poll is due, counting polls made by any tab. */
  private wait(reason: Reason): number {
    const now = Date.now();
    if (now < this.notBefore) {
      return this.notBefore - now;
    }

    const shared = this.deps.store.pollState(this.id);
    if (shared) {
      this.adopt(shared);
    }

    // A long-poll's follow-up is for a visible page: hidden since, it waits the hidden pace like any poll.
    const paced = reason === 'interval' || (reason === 'longpoll' && this.deps.page.isHidden());
    const gap = paced ? this.intervalMs() : reason === 'retry' ? 0 : wakeGapMs;
    return (shared?.polledAt ?? 0) + gap - now;
  }

  private async pollIfStillDue(reason: Reason): Promise<void> {
    // Checked again under the lock: the tab that held it a moment ago may have just polled.
    const wait = this.wait(reason);
    if (this.finished || this.disposed) {
      return;
    }

    if (wait > 0) {
      this.schedule(wait, reason);
      return;
    }

    const { http, store, page, settings } = this.deps;
    const polledAt = Date.now();
    store.savePollState(this.id, { ...store.pollState(this.id), polledAt });
    const epoch = this.epoch;
    // Long-poll only while visible, and only with an ETag to wait on (without one the answer is immediate
    // anyway). Until the server says it holds polls, the wait asked for fits in the plain poll timeout.
    const holdSeconds = !page.isHidden() && this.etag ? settings.longPollSeconds : 0;
    const headers: Record<string, string> = this.etag ? { 'If-None-Match': this.etag } : {};
    if (holdSeconds > 0) {
      headers['Prefer'] = `wait=${holdSeconds}`;
    }

    const abort = new AbortController();
    this.inFlight = holdSeconds > 0 ? abort : undefined;
    const timer = setTimeout(() => abort.abort(abortReason('The poll got no answer in time.', 'TimeoutError')), (settings.pollTimeoutSeconds + (this.longPolling ? holdSeconds : 0)) * 1000);
    try {
      const response = await http.send({
        method: 'GET',
        path: `/api/generations/${encodeURIComponent(this.id)}`,
        headers,
        signal: abort.signal,
      });
      if (response.status !== 304 && !response.ok) {
        throw await apiError(response);
      }

      this.failures = 0;
      this.hintSeconds = retryAfterSeconds(response);
      this.longPolling = holdSeconds > 0 && (response.headers.get('Preference-Applied') ?? '').includes('wait=');
      if (epoch !== this.epoch || response.status === 304) {
        // Unchanged, or overtaken by a state that arrived meanwhile (which is newer).
        this.next();
        return;
      }

      const generation = (await response.json()) as Generation;
      this.etag = response.headers.get('ETag') ?? undefined;
      store.savePollState(this.id, { polledAt, ...(this.etag ? { etag: this.etag } : {}), generation, receivedAt: Date.now() });
      this.deliver(generation);
      this.next();
    } catch (error) {
      if (isAbortError(error) && this.deps.page.isHidden()) {
        // Hidden while the server held the poll: carry on at the hidden pace.
        this.schedule(this.intervalMs());
      } else if (error instanceof ApiError || error instanceof NetworkError) {
        this.failed(error);
      } else {
        throw error;
      }
    } finally {
      clearTimeout(timer);
      this.inFlight = undefined;
    }
  }

  /** After an answer: at once while the server long-polls for a visible page, else at the poll interval. */
  private next(): void {
    if (this.longPolling && !this.deps.page.isHidden()) {
      this.schedule(0, 'longpoll');
    } else {
      this.schedule(this.intervalMs());
    }
  }

  private failed(error: ApiError | NetworkError): void {
    const fatal = error instanceof ApiError && !error.transient && error.status !== 401;
    this.listeners.forEach((listener) => listener.error(error, fatal));
    if (fatal) {
      // Gone, or never ours: nothing to wait for.
      this.deps.store.removeActive(this.id);
      this.finished = true;
      clearTimeout(this.timer);
      return;
    }

    this.failures++;
    const { maxBackoffSeconds, random } = this.deps.settings;
    const serverSays = error instanceof ApiError ? error.retryAfterSeconds : undefined;
    const seconds = serverSays ?? backoffSeconds(this.failures, maxBackoffSeconds, random);
    // A wait the server asked for holds even if the page wakes; our own back-off does not.
    this.notBefore = serverSays === undefined ? 0 : Date.now() + seconds * 1000;
    this.schedule(seconds * 1000, 'retry');
  }

  private deliver(generation: Generation): void {
    if (this.disposed) {
      return;
    }

    this.generation = generation;
    if (isTerminal(generation.status)) {
      this.finished = true;
      clearTimeout(this.timer);
      this.deps.store.removeActive(generation.id);
    }

    this.listeners.forEach((listener) => listener.update(generation));
  }

  /** Stops at once, whoever still watches (sign-out): no further poll, nothing more stored. */
  close(): void {
    this.listeners.clear();
    clearTimeout(this.disposeTimer);
    this.inFlight?.abort(abortReason('The user signed out.'));
    if (!this.disposed) {
      this.dispose();
    }
  }

  private dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
    this.onDisposed();
  }
}

/** A stored answer as of now: a running generation's elapsedSeconds moved on by the time since it was received. */
function aged(generation: Generation, receivedAt: number | undefined): Generation {
  if (receivedAt === undefined || isTerminal(generation.status)) {
    return generation;
  }

  const elapsedSeconds = Math.round((generation.elapsedSeconds + Math.max(0, Date.now() - receivedAt) / 1000) * 10) / 10;
  return { ...generation, elapsedSeconds };
}
