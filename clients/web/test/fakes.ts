import { afterEach, beforeEach, vi } from 'vitest';
import { inTabLocks, MemoryStorage, NanoBananaClient, type Generation, type GenerationEvent, type GenerationEventKind, type NanoBananaClientOptions, type PageSignals, type TabLocks, type WakeReason } from '../src/index.js';
import type { StorageChanges } from '../src/local-store.js';

export interface Recorded {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Reply = (request: Recorded, signal: AbortSignal | undefined) => Response | undefined | Promise<Response>;

/** How one event-stream connection goes: cut (a network error) after `cutAfterBytes`, or `silent` (a proxy that buffers: no byte ever). */
export interface StreamScript {
  cutAfterBytes?: number;
  silent?: boolean;
}

/**
 * The API's HTTP behaviour in memory, behind a fetch: creates (idempotent by key), gets with ETag and
 * 304, cancel, history. Every request is recorded; `next` replies override the model once each (not for
 * the event stream and the changedSince catch-up: `streams` and `streamScripts` steer those).
 * With `streams` on, every status change is an event (as the API's log): `GET /api/events` streams them
 * (Server-Sent Events, resuming after Last-Event-ID) and `?changedSince=` lists what changed; off, the API
 * is a version without them (404, and changedSince ignored).
 */
export class FakeApi {
  readonly requests: Recorded[] = [];
  readonly generations = new Map<string, { generation: Generation; version: number }>();
  private readonly keys = new Map<string, string>();
  private readonly replies: Reply[] = [];
  pollAfterSeconds = 10;
  /** Hold GETs that send Prefer: wait=N and a current ETag until the generation changes or N s pass (then 304), as the API does. */
  longPoll = false;
  private readonly held = new Set<() => void>();
  /** Events and changedSince offered (off: an API from before them). */
  streams = false;
  readonly events: GenerationEvent[] = [];
  /** How the next stream connections go, one each. */
  readonly streamScripts: StreamScript[] = [];
  /** Most generations per changedSince answer (the API's Events__BatchSize). */
  changesBatchSize = 200;
  /** Splits each stream write into chunks of random sizes (cut anywhere, even inside a UTF-8 character), when set. */
  chunking: (() => number) | undefined;
  private readonly openStreams = new Set<(event: GenerationEvent) => void>();
  private readonly closers = new Set<(error?: unknown) => void>();

  /** Answers the next request(s) this way instead of the model (undefined: let the model answer). */
  next(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const recorded: Recorded = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    this.requests.push(recorded);
    const signal = init?.signal ?? undefined;
    if (recorded.method === 'GET' && (recorded.path === '/api/events' || recorded.path.startsWith('/api/generations?changedSince='))) {
      return this.streams ? (recorded.path === '/api/events' ? this.stream(recorded, signal) : this.changes(recorded)) : this.answer(recorded);
    }

    const scripted = await this.replies.shift()?.(recorded, signal);
    return scripted ?? (await this.hold(recorded, init?.signal ?? undefined)) ?? this.answer(recorded);
  };

  polls(id: string): Recorded[] {
    return this.requests.filter((r) => r.method === 'GET' && r.path === `/api/generations/${id}`);
  }

  creates(): Recorded[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/api/generations');
  }

  /** The event-stream connections opened. */
  streamRequests(): Recorded[] {
    return this.requests.filter((r) => r.path === '/api/events');
  }

  catchUps(): Recorded[] {
    return this.requests.filter((r) => r.path.startsWith('/api/generations?changedSince='));
  }

  set(id: string, change: Partial<Generation>): void {
    const entry = this.generations.get(id)!;
    const before = entry.generation.status;
    entry.generation = { ...entry.generation, ...change };
    entry.version++;
    if (change.status && change.status !== before) {
      const kinds: Record<Generation['status'], GenerationEventKind[]> = {
        pending: ['queued'],
        processing: ['started'],
        completed: ['stored', 'completed'],
        failed: ['failed'],
        cancelled: ['cancelled'],
        expired: ['expired'],
      };
      kinds[change.status].forEach((kind) => this.record(id, kind));
    }

    this.held.forEach((wake) => wake());
  }

  /** A generation made elsewhere (another device): in the log, not through this client. */
  add(prompt: string): string {
    const id = crypto.randomUUID();
    this.generations.set(id, { generation: generation(id, prompt, this.pollAfterSeconds), version: 1 });
    this.record(id, 'queued');
    return id;
  }

  /** Appends an event to the log (and to every open stream), as the API's triggers do on a change. */
  record(id: string, kind: GenerationEventKind, data: Record<string, unknown> = {}): void {
    const seq = this.events.filter((e) => e.generationId === id).length + 1;
    const event: GenerationEvent = { generationId: id, seq, cursor: String(this.events.length + 1), kind, attempt: 0, at: new Date().toISOString(), data };
    this.events.push(event);
    this.openStreams.forEach((send) => send(event));
  }

  /** GET /api/generations?changedSince=: each generation with an event after the token once, by its latest change. */
  private changes(request: Recorded): Response {
    const since = Number(new URL(request.path, 'http://api.test').searchParams.get('changedSince'));
    const latest = new Map<string, number>();
    this.events.filter((e) => Number(e.cursor) > since).forEach((e) => latest.set(e.generationId, Number(e.cursor)));
    const changed = [...latest].sort(([, a], [, b]) => a - b);
    const listed = changed.slice(0, this.changesBatchSize);
    const token = String(listed.at(-1)?.[1] ?? since);
    const etag = `W/"changes-${token}"`;
    if (listed.length === 0 && request.headers.get('If-None-Match') === etag) {
      return new Response(null, { status: 304, headers: { ETag: etag } });
    }

    const items = listed.map(([id]) => this.generations.get(id)!.generation);
    return new Response(JSON.stringify({ items, changeToken: token, more: changed.length > listed.length }), { headers: { 'Content-Type': 'application/json', ETag: etag } });
  }

  /** GET /api/events: `retry:`, the events after Last-Event-ID, then each new one as it happens, until cut or aborted. */
  private stream(request: Recorded, signal: AbortSignal | undefined): Response {
    const script = this.streamScripts.shift() ?? {};
    const after = Number(request.headers.get('Last-Event-ID') ?? '0');
    const encoder = new TextEncoder();
    let sentBytes = 0;
    // Chunks wait here until the client reads them, so a cut comes after the bytes before it have arrived.
    const chunks: Uint8Array[] = [];
    let ending: { error?: unknown } | undefined;
    let wake = () => {};
    const finish = (error?: unknown) => {
      if (!ending) {
        clearInterval(heartbeat);
        this.openStreams.delete(send);
        this.closers.delete(finish);
        ending = error === undefined ? {} : { error };
        wake();
      }
    };
    const write = (text: string) => {
      if (ending) {
        return;
      }

      let bytes = encoder.encode(text);
      const cut = script.cutAfterBytes !== undefined && sentBytes + bytes.length >= script.cutAfterBytes;
      if (cut) {
        bytes = bytes.slice(0, script.cutAfterBytes! - sentBytes);
      }

      sentBytes += bytes.length;
      chunks.push(...this.chunked(bytes));
      wake();
      if (cut) {
        finish(new TypeError('network error: the connection was cut'));
      }
    };
    const send = (event: GenerationEvent) => !script.silent && write(frame(event));
    this.openStreams.add(send);
    this.closers.add(finish);
    signal?.addEventListener('abort', () => {
      chunks.length = 0;
      finish(signal.reason);
    });
    // A comment after 15 s of quiet, as the API sends (every 15 s here, which is what a client can count on).
    const heartbeat = setInterval(() => !script.silent && write(': heartbeat\n\n'), 15_000);
    if (!script.silent) {
      write('retry: 1000\n\n');
      this.events.filter((e) => Number(e.cursor) > after).forEach(send);
    }

    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          while (chunks.length === 0 && !ending) {
            await new Promise<void>((resolve) => (wake = resolve));
          }

          const next = chunks.shift();
          if (next) {
            controller.enqueue(next);
          } else if (ending?.error === undefined) {
            controller.close();
          } else {
            controller.error(ending.error);
          }
        },
        cancel: () => finish(),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
  }

  /** Ends every open stream as the server does at its time limit (the client reconnects after its last id). */
  endStreams(): void {
    [...this.closers].forEach((close) => close());
  }

  private chunked(bytes: Uint8Array): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = this.chunking ? Math.max(1, this.chunking()) : bytes.length;
      chunks.push(bytes.slice(at, at + size));
      at += size;
    }

    return chunks;
  }

  /** A long-poll: waits while the caller's ETag still holds; undefined lets the model answer (with Preference-Applied). */
  private async hold(request: Recorded, signal: AbortSignal | undefined): Promise<Response | undefined> {
    const wait = /wait=(\d+)/.exec(request.headers.get('Prefer') ?? '')?.[1];
    const entry = /^\/api\/generations\/([^/?]+)$/.exec(request.path)?.[1];
    if (!this.longPoll || request.method !== 'GET' || wait === undefined || entry === undefined) {
      return undefined;
    }

    const current = () => request.headers.get('If-None-Match') === etag(this.generations.get(entry)?.version ?? 0);
    if (current()) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => !current() && done();
        const timer = setTimeout(() => done(), Number(wait) * 1000);
        const done = () => {
          clearTimeout(timer);
          this.held.delete(wake);
          resolve();
        };
        this.held.add(wake);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          this.held.delete(wake);
          reject(signal.reason);
        });
      });
    }

    const answer = this.answer(request);
    answer.headers.set('Preference-Applied', `wait=${wait}`);
    return answer;
  }

  private answer(request: Recorded): Response {
    if (request.method === 'POST' && request.path === '/api/generations') {
      const key = request.headers.get('Idempotency-Key') ?? crypto.randomUUID();
      const existing = this.keys.get(key);
      const id = existing ?? crypto.randomUUID();
      if (!existing) {
        this.keys.set(key, id);
        this.generations.set(id, { generation: generation(id, (request.body as { prompt: string }).prompt, this.pollAfterSeconds), version: 1 });
        this.record(id, 'queued');
      }

      return this.json(202, id);
    }

    if (request.method === 'GET' && request.path.startsWith('/api/generations?') || request.path === '/api/generations') {
      const items = [...this.generations.values()].map((entry) => entry.generation).reverse();
      return new Response(JSON.stringify({ items, nextCursor: null }), { headers: { 'Content-Type': 'application/json' } });
    }

    const match = /^\/api\/generations\/([^/?]+)(\/cancel)?$/.exec(request.path);
    const entry = match ? this.generations.get(match[1]!) : undefined;
    if (!match || !entry) {
      return problem(404, 'generation_not_found');
    }

    if (match[2]) {
      this.set(match[1]!, { status: 'cancelled', cancelOutcome: 'before_call', pollAfterSeconds: null });
      return this.json(200, match[1]!);
    }

    if (request.headers.get('If-None-Match') === etag(entry.version)) {
      return new Response(null, { status: 304, headers: { ETag: etag(entry.version) } });
    }

    return this.json(200, match[1]!);
  }

  private json(status: number, id: string): Response {
    const { generation, version } = this.generations.get(id)!;
    return new Response(JSON.stringify(generation), { status, headers: { 'Content-Type': 'application/json', ETag: etag(version) } });
  }
}

export function problem(status: number, code: string, retryAfter?: number): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (retryAfter !== undefined) {
    headers['Retry-After'] = String(retryAfter);
  }

  return new Response(JSON.stringify({ status, code, title: code, detail: `${code} detail` }), { status, headers });
}

export const offline: Reply = () => {
  throw new TypeError('Failed to fetch');
};

/** No answer, ever, until the request is aborted. */
export const noAnswer: Reply = (_, signal) =>
  new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));

/** One event as the API writes it. */
function frame(event: GenerationEvent): string {
  return `id: ${event.cursor}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}

function etag(version: number): string {
  return `W/"${version}"`;
}

function generation(id: string, prompt: string, pollAfterSeconds: number): Generation {
  const created = Date.now();
  return {
    id,
    status: 'pending',
    prompt,
    options: { aspectRatio: null, resolution: null, model: null },
    inputImageCount: 0,
    createdAt: new Date(created).toISOString(),
    startedAt: null,
    completedAt: null,
    elapsedSeconds: 0,
    attempts: 0,
    error: null,
    images: [],
    text: null,
    pollAfterSeconds,
    queue: null,
    estimatedCostUsd: null,
    billedTo: 'server',
    paidCalls: 0,
    cancelOutcome: null,
    deadlineAt: null,
    drafts: [],
    expiresAt: new Date(created + 30 * 24 * 3600 * 1000).toISOString(),
    lane: 'standard',
    promisedBy: null,
    promoted: null,
  };
}

/** A page whose visibility, connectivity and wake-ups the test decides. */
export class FakePage implements PageSignals {
  hidden = false;
  online = true;
  private readonly listeners = new Set<(reason: WakeReason) => void>();
  private readonly hideListeners = new Set<() => void>();

  isHidden = () => this.hidden;

  isOnline = () => this.online;

  onWake(listener: (reason: WakeReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  wake(reason: WakeReason): void {
    this.listeners.forEach((listener) => listener(reason));
  }

  onHide(listener: () => void): () => void {
    this.hideListeners.add(listener);
    return () => this.hideListeners.delete(listener);
  }

  /** The page goes to the background (or is frozen). */
  hide(): void {
    this.hidden = true;
    this.hideListeners.forEach((listener) => listener());
  }

  /** The page is back in front (visible, thawed, restored). */
  show(reason: WakeReason = 'visible'): void {
    this.hidden = false;
    this.wake(reason);
  }
}

/** Tabs of one origin: one localStorage (each write announced to the other tabs, as the storage event is), one set of locks. */
export class FakeBrowser {
  readonly storage = new MemoryStorage();
  readonly locks: TabLocks = inTabLocks();
  private readonly tabs: Set<(key: string) => void>[] = [];

  constructor(readonly api: FakeApi) {}

  /** A tab's client; `page` is that tab's. */
  tab(page = new FakePage(), options: Partial<NanoBananaClientOptions> = {}): NanoBananaClient {
    const listeners = new Set<(key: string) => void>();
    this.tabs.push(listeners);
    const changes: StorageChanges = (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const storage = this.storage;
    const announce = (key: string) => this.tabs.filter((tab) => tab !== listeners).forEach((tab) => tab.forEach((listener) => listener(key)));
    return new NanoBananaClient({
      baseUrl: 'http://api.test',
      token: () => 'token-1',
      fetch: this.api.fetch,
      page,
      locks: this.locks,
      random: () => 0.5,
      storage: {
        get length() {
          return storage.length;
        },
        key: (i) => storage.key(i),
        getItem: (k) => storage.getItem(k),
        setItem: (k, v) => {
          storage.setItem(k, v);
          announce(k);
        },
        removeItem: (k) => {
          storage.removeItem(k);
          announce(k);
        },
      },
      storageChanges: changes,
      ...options,
    });
  }
}

/** For each test: fake timers from a fixed date, and a fresh API and browser (handed to `use`). */
export function freshFakes(use: (fakes: { api: FakeApi; browser: FakeBrowser }) => void): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const api = new FakeApi();
    use({ api, browser: new FakeBrowser(api) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
