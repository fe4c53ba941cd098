import { backoffSeconds } from './backoff.js';
import { ApiError, NetworkError, abortReason, isAbortError } from './errors.js';
import { apiError, retryAfterSeconds, type Http } from './http.js';
import type { LiveFeed, LiveState } from './live-feed.js';
import type { LocalStore, PollState } from './local-store.js';
import type { PageSignals, WakeReason } from './page-signals.js';
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
  /** The caller-wide event stream: while it follows, it tells this poller when to read (no interval, no long-poll). */
  live?: Pick<LiveFeed, 'state' | 'handlesWake' | 'follow' | 'onState' | 'publish'>;
}

export interface PollListener {
  update(generation: Generation): void;
  error(error: ApiError | NetworkError, fatal: boolean): void;
}

/** A wake-up poll is skipped only if some tab polled this recently. */
const wakeGapMs = 1000;

/** When another poller holds the lock, look again this much later. */
const busyRecheckMs = 500;

/** Why a poll is being considered: its interval is up, the page woke, a failed poll is being retried, a long-poll answered, or the event stream told of a change. */
type Reason = 'interval' | 'wake' | 'retry' | 'longpoll' | 'event';

/**
 * Polls one generation for every watcher of it in this tab, and, through a Web Lock and the poll time
 * kept in localStorage, for every tab: one request in flight at a time, and one per interval between
 * all of them. Conditional (If-None-Match), paced by the server's pollAfterSeconds/Retry-After, slower
 * while hidden, at once when the page wakes, backing off on failures; stops at a terminal status and
 * starts again if a retry makes the generation pending. While the page is visible it asks the server to
 * hold each poll until the generation changes (Prefer: wait=N); once the server says it does
 * (Preference-Applied), the next poll follows each answer at once, so a result shows as it lands.
 * A hidden page drops its long-poll and polls at the hidden pace (Web Push tells a sleeping phone).
 * While the caller-wide event stream follows (live-feed.ts), none of that: the poller reads only when
 * an event for its generation arrives, and the stream's catch-up answers for it on a wake.
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
  /** An event arrived while a poll was in flight (whose answer may predate it): read again after it. */
  private again = false;
  /**
   * An event told of a change this poller has not read yet (its read failed, or is still to come). The
   * event moved the stream's token past it, so a wake's catch-up will not list it: a wake reads it here.
   */
  private stale = false;
  private unfollow: (() => void) | undefined;

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
    if (this.generation && JSON.stringify(this.generation) === JSON.stringify(generation)) {
      return; // nothing new (a catch-up lists what was read already): a poll in flight may still bring news
    }

    this.epoch++;
    this.etag = etag;
    this.deliver(generation);
    if (!isTerminal(generation.status) && this.finished) {
      this.finished = false;
      this.follow();
      this.schedule(this.intervalMs());
    }
  }

  /** The event stream told of a change to this generation: read it now (after the poll in flight, if any). */
  refresh(): void {
    if (this.disposed || this.finished) {
      return;
    }

    this.stale = true;
    if (this.polling) {
      this.again = true;
      return;
    }

    void this.tick('event');
  }

  /**
   * The stream tells this poller when to read. Not while the generation waits in line: its queue
   * position moves with no event (only the ETag names it), so it is polled as before until it starts;
   * nor while a change an event told of is unread (its read failed): its retries go on.
   */
  private following(): boolean {
    const waitsInLine = this.generation?.status === 'pending' && this.generation.queue != null;
    return this.deps.live?.state === 'following' && !this.deps.page.isHidden() && !waitsInLine && !this.stale;
  }

  private follow(): void {
    this.unfollow ??= this.deps.live?.follow(this.id, this);
  }

  private stopFollowing(): void {
    this.unfollow?.();
    this.unfollow = undefined;
  }

  /** The stream took over (no timer, no long-poll), paused or failed (polls at the usual pace again). */
  private liveChanged(state: LiveState, previous: LiveState): void {
    // While a first stream is being tried (connecting) the poller never stopped: nothing to take back.
    if (this.disposed || this.finished || (state === 'polling' && (previous === 'connecting' || previous === 'idle'))) {
      return;
    }

    if (state === 'resuming') {
      if (!this.stale) {
        clearTimeout(this.timer); // the catch-up reads it
      }
    } else if (state === 'following' && this.following()) {
      clearTimeout(this.timer);
      this.inFlight?.abort(abortReason('The event stream follows this generation.'));
    } else if (state === 'following' && !this.stale) {
      void this.tick('interval'); // waits in line: polled at the server's pace still (an unread change keeps its own retry)
    } else if (state === 'paused' || state === 'polling') {
      void this.tick(state === 'polling' ? 'wake' : 'interval');
    }
  }

  private start(): void {
    const { store, page } = this.deps;
    this.unsubscribe.push(
      page.onWake((reason) => this.wake(reason)),
      page.onHide?.(() => this.inFlight?.abort(abortReason('The page was hidden.'))) ?? (() => {}),
      store.onPollState(this.id, (state) => this.adopt(state)),
      this.deps.live?.onState((state, previous) => this.liveChanged(state, previous)) ?? (() => {}),
    );
    this.follow();
    const shared = store.pollState(this.id);
    if (shared) {
      this.adopt(shared);
    }

    // Like the original page: ask at once, then at the server's pace.
    void this.tick('wake');
  }

  private wake(reason: WakeReason): void {
    if (this.disposed || !this.deps.page.isOnline()) {
      return;
    }

    // The stream's catch-up on wake reads what changed, for every generation at once. Not when the radio
    // comes back: whatever was in flight when it dropped (the stream, a catch-up) may be dead without a word
    // for a while, so a watched generation is read at once as well (a page rarely watches more than a few).
    if (this.deps.live?.handlesWake() && !this.stale && reason !== 'online') {
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

    if (this.again) {
      this.again = false;
      void this.tick('event');
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
    const gap = paced ? this.intervalMs() : reason === 'retry' || reason === 'event' ? 0 : wakeGapMs;
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
    const holdSeconds = !page.isHidden() && this.etag && !this.following() ? settings.longPollSeconds : 0;
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
      this.stale = false;
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
      } else if (isAbortError(error) && this.following()) {
        // The event stream took over from this long-poll.
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
    if (this.following()) {
      clearTimeout(this.timer); // the stream says when to read again
    } else if (this.longPolling && !this.deps.page.isHidden()) {
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
      this.stopFollowing();
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
    if (this.disposed || (this.generation && JSON.stringify(this.generation) === JSON.stringify(generation))) {
      return; // known already (a catch-up lists what a poll has just read): watchers hear each state once
    }

    this.generation = generation;
    if (isTerminal(generation.status)) {
      this.finished = true;
      clearTimeout(this.timer);
      this.deps.store.removeActive(generation.id);
      this.stopFollowing();
    }

    this.listeners.forEach((listener) => listener.update(generation));
    this.deps.live?.publish(generation);
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
    this.stopFollowing();
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
