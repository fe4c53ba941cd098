import { ApiError, NetworkError, abortReason, isAbortError } from './errors.js';
import { EventStream, StreamUnsupported, type EventStreamSettings } from './event-stream.js';
import { apiError, type Http } from './http.js';
import type { ChangeToken, LocalStore } from './local-store.js';
import type { PageSignals, WakeReason } from './page-signals.js';
import type { Generation, GenerationChanges, GenerationEvent } from './types.js';

/**
 * idle: nobody follows anything. connecting: catching up, then opening the stream for the first time.
 * following: the stream is open and sending. paused: the page is hidden or frozen, the stream closed.
 * resuming: woken, catching up before the stream opens again. polling: streams failed or are not
 * offered here; the pollers poll (and long-poll) as they always did, until the next wake tries again.
 */
export type LiveState = 'idle' | 'connecting' | 'following' | 'paused' | 'resuming' | 'polling';

/** What the live view tells its listeners (`client.live`). */
export interface LiveListener {
  /** Each event of the caller's generations, once, in order. */
  onEvent?(event: GenerationEvent): void;
  /** Generations that changed (from a wake's catch-up, or re-read after an event), each state once. */
  onChange?(generations: Generation[]): void;
  onState?(state: LiveState): void;
}

/** A generation watched in this tab: told to read itself again when an event for it arrives. */
export interface Follower {
  refresh(): void;
}

export interface LiveFeedDependencies {
  http: Http;
  store: LocalStore;
  page: PageSignals;
  settings: EventStreamSettings;
  /** Streams tried at all (off: the pollers alone, as before). */
  enabled: boolean;
  /** A state learned from a catch-up or a re-read: for the pollers, storage and other tabs. */
  accept(generation: Generation): void;
  /** Reads one generation (an event for one nobody in this tab watches, for the live listeners). */
  get(id: string): Promise<Generation>;
}

/** A stream that failed this many times in a row without sending anything is left for polling until the next wake. */
const failuresBeforePolling = 3;

/**
 * The caller-wide live view: one `GET /api/events` stream for everything this tab follows, open only
 * while the page is visible. On wake it first asks `GET /api/generations?changedSince=<token>` (one
 * request; again while `more`), hands what changed to the watchers, keeps the new token in storage,
 * and opens the stream after that token. An event re-reads its generation (through its poller). Hidden
 * or frozen: the stream is closed (iOS would close it silently anyway) and the pollers' hidden pace
 * and push take over. If streams fail (a proxy that buffers them, a server without them) the pollers
 * carry on polling, as they did before streams existed.
 */
export class LiveFeed {
  private readonly followers = new Map<string, Follower>();
  private readonly listeners = new Set<LiveListener>();
  private readonly stateListeners = new Set<(state: LiveState, previous: LiveState) => void>();
  private readonly published = new Map<string, string>();
  private readonly rereads = new Set<string>();
  /** Generations an event told of whose re-read failed: read again after the next catch-up (the token is past their event). */
  private readonly unread = new Set<string>();
  private unsubscribePage: (() => void)[] = [];
  private current: LiveState = 'idle';
  private stream: EventStream | undefined;
  private sync: AbortController | undefined;
  /** A catch-up request is in flight (a wake then needs nothing more; a stream merely reconnecting does). */
  private catchingUp = false;
  /** The server has no streams (or something in the way never passes one): not tried again on this page. */
  private unsupported = false;
  /** What changed in a catch-up, told to the listeners in one call. */
  private batch: Generation[] | undefined;
  /**
   * This tab's own place in the log (seeded from storage on a fresh page): another tab's newer token in
   * storage would skip changes this tab has not seen.
   */
  private position: { scope: string | null; saved: ChangeToken | undefined } | undefined;

  constructor(private readonly deps: LiveFeedDependencies) {}

  get state(): LiveState {
    return this.current;
  }

  /** Streams carry this tab's news now, or will once the catch-up on wake is done: pollers need not poll on a wake. */
  handlesWake(): boolean {
    return this.current === 'following' || this.current === 'paused' || this.current === 'resuming';
  }

  onState(listener: (state: LiveState, previous: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  follow(id: string, follower: Follower): () => void {
    this.followers.set(id, follower);
    this.interestChanged();
    return () => {
      if (this.followers.get(id) === follower) {
        this.followers.delete(id);
        this.interestChanged();
      }
    };
  }

  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    listener.onState?.(this.current);
    this.interestChanged();
    return () => {
      this.listeners.delete(listener);
      this.interestChanged();
    };
  }

  /** A state a poller received: told to the live listeners unless they have seen it. */
  publish(generation: Generation): void {
    const text = JSON.stringify({ ...generation, elapsedSeconds: 0, queue: null, pollAfterSeconds: null });
    if (this.published.get(generation.id) === text) {
      return;
    }

    this.published.set(generation.id, text);
    if (this.batch) {
      this.batch.push(generation);
    } else if (this.listeners.size > 0) {
      this.listeners.forEach((listener) => listener.onChange?.([generation]));
    }
  }

  /** Stops and forgets (sign-out): a new user starts from their own token. */
  close(): void {
    this.followers.clear();
    this.listeners.clear();
    this.published.clear();
    this.unread.clear();
    this.position = undefined;
    this.unsupported = false;
    this.stop('idle');
  }

  private interestChanged(): void {
    const wanted = this.deps.enabled && (this.followers.size > 0 || this.listeners.size > 0);
    if (!wanted) {
      if (this.current !== 'idle') {
        this.stop('idle');
      }

      return;
    }

    if (this.current !== 'idle') {
      return;
    }

    const { page } = this.deps;
    this.unsubscribePage = [page.onWake((reason) => this.woken(reason)), page.onHide?.(() => this.hidden()) ?? (() => {})];
    if (this.unsupported) {
      this.setState('polling');
    } else if (page.isHidden()) {
      this.setState('paused');
    } else {
      void this.catchUpAndFollow('connecting');
    }
  }

  private woken(reason: WakeReason): void {
    const { page } = this.deps;
    if (this.unsupported || page.isHidden() || !page.isOnline()) {
      return;
    }

    // Focus alone (a click into a visible page) says nothing was missed, and a catch-up already running
    // covers the rest. A stream that is only reconnecting (backing off after a drop) does not: catch up now.
    if (reason === 'focus' || this.catchingUp) {
      return;
    }

    void this.catchUpAndFollow(this.current === 'polling' ? 'connecting' : 'resuming');
  }

  private hidden(): void {
    if (this.current === 'idle' || this.current === 'polling') {
      return;
    }

    this.stop('paused');
  }

  private stop(next: LiveState): void {
    this.sync?.abort(abortReason('The live view stopped.'));
    this.sync = undefined;
    this.catchingUp = false;
    this.stream?.close();
    this.stream = undefined;
    if (next === 'idle') {
      this.unsubscribePage.forEach((unsubscribe) => unsubscribe());
      this.unsubscribePage = [];
    }

    this.setState(next);
  }

  private async catchUpAndFollow(state: 'connecting' | 'resuming'): Promise<void> {
    this.stream?.close();
    this.stream = undefined;
    this.sync?.abort(abortReason('A newer catch-up started.'));
    const sync = new AbortController();
    this.sync = sync;
    this.setState(state);
    let token: string;
    this.catchingUp = true;
    try {
      token = await this.catchUp(sync.signal);
    } catch (error) {
      if (sync.signal.aborted) {
        return;
      }

      this.unsupported = error instanceof StreamUnsupported || (error instanceof ApiError && !error.transient && error.status !== 401);
      this.setState('polling');
      return;
    } finally {
      if (this.sync === sync) {
        this.catchingUp = false;
      }
    }

    if (sync.signal.aborted) {
      return;
    }

    [...this.unread].forEach((id) => this.reread(id));
    this.unread.clear();
    this.open(token);
  }

  /** GET /generations?changedSince=token until nothing more: what changed goes to the watchers; returns the new token. */
  private async catchUp(signal: AbortSignal): Promise<string> {
    const { http, accept } = this.deps;
    let saved = this.savedToken();
    this.batch = [];
    try {
      for (;;) {
        const headers: Record<string, string> = saved?.etag ? { 'If-None-Match': saved.etag } : {};
        const response = await http.send({ method: 'GET', path: `/api/generations?changedSince=${encodeURIComponent(saved?.token ?? '0')}`, headers, signal });
        if (response.status === 304 && saved) {
          return saved.token;
        }

        if (!response.ok) {
          throw await apiError(response);
        }

        const changes = (await response.json()) as Partial<GenerationChanges>;
        if (typeof changes.changeToken !== 'string' || !Array.isArray(changes.items)) {
          throw new StreamUnsupported('The API answered changedSince without a changeToken (a version without events).');
        }

        const etag = response.headers.get('ETag');
        saved = { token: changes.changeToken, ...(etag && !changes.more ? { etag } : {}) };
        changes.items.forEach((generation) => {
          accept(generation);
          this.publish(generation);
        });
        this.saveToken(saved);
        if (!changes.more) {
          return saved.token;
        }
      }
    } finally {
      const batch = this.batch;
      this.batch = undefined;
      if (batch.length > 0) {
        this.listeners.forEach((listener) => listener.onChange?.(batch));
      }
    }
  }

  private open(token: string): void {
    const stream: EventStream = new EventStream(
      { http: this.deps.http, path: '/api/events', lastEventId: token, settings: this.deps.settings },
      {
        onOpen: () => this.stream === stream && this.setState('following'),
        onEvent: (event) => this.stream === stream && this.received(event.data, event.lastEventId),
        onFailure: (error, failures, fatal) => {
          if (fatal) {
            this.unsupported = error instanceof StreamUnsupported || (error instanceof ApiError && error.status === 404);
          }

          // Cut while it was sending, a stream resumes on its own; one that keeps failing is left for polling.
          if (fatal || failures >= failuresBeforePolling) {
            return false;
          }

          if (this.current === 'following') {
            this.setState('resuming');
          }

          return true;
        },
      },
    );
    this.stream = stream;
    void stream.start().then(() => {
      if (this.stream === stream) {
        this.stream = undefined;
        this.setState('polling');
      }
    });
  }

  private received(data: string, id: string): void {
    let event: GenerationEvent;
    try {
      event = JSON.parse(data) as GenerationEvent;
    } catch {
      return; // not ours: nothing to re-read
    }

    this.saveToken({ token: id });
    this.listeners.forEach((listener) => listener.onEvent?.(event));
    this.reread(event.generationId);
  }

  /** One re-read per generation for a burst of its events (a catch-up on the stream sends several at once). */
  private reread(id: string): void {
    if (this.rereads.has(id)) {
      return;
    }

    this.rereads.add(id);
    setTimeout(() => {
      this.rereads.delete(id);
      const follower = this.followers.get(id);
      if (follower) {
        follower.refresh();
      } else if (this.listeners.size > 0) {
        this.deps.get(id).then(
          (generation) => {
            this.deps.accept(generation);
            this.publish(generation);
          },
          (error: unknown) => {
            if (!(error instanceof ApiError || error instanceof NetworkError || isAbortError(error))) {
              throw error;
            }

            if (!(error instanceof ApiError && !error.transient)) {
              this.unread.add(id);
            }
          },
        );
      }
    }, 0);
  }

  private savedToken(): ChangeToken | undefined {
    const scope = this.deps.store.scope;
    if (this.position?.scope !== scope) {
      this.position = { scope, saved: this.deps.store.changeToken() };
    }

    return this.position.saved;
  }

  private saveToken(saved: ChangeToken): void {
    this.position = { scope: this.deps.store.scope, saved };
    this.deps.store.saveChangeToken(saved);
  }

  private setState(state: LiveState): void {
    if (state === this.current) {
      return;
    }

    const previous = this.current;
    this.current = state;
    this.stateListeners.forEach((listener) => listener(state, previous));
    this.listeners.forEach((listener) => listener.onState?.(state));
  }
}
