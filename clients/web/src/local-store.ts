import type { CreateGenerationRequest, Generation } from './types.js';

/** A create that was sent (or is about to be) and not yet answered: re-sent with the same key until it is. */
export interface PendingCreate {
  key: string;
  request: CreateGenerationRequest;
  createdAt: number;
}

/** The latest poll of one generation, shared by every tab of the origin. */
export interface PollState {
  /** When a tab last started a poll (ms since epoch). */
  polledAt: number;
  etag?: string;
  generation?: Generation;
  /** When the server's answer was received (ms since epoch): its elapsedSeconds was true then. */
  receivedAt?: number;
}

/** How far this user's changes were read: the token to resume at, and the ETag of the answer that gave it. */
export interface ChangeToken {
  token: string;
  etag?: string;
}

/** The part of the Web Storage API the client uses (localStorage, or anything shaped like it). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Tells of writes other tabs made (the `storage` event). */
export type StorageChanges = (listener: (key: string) => void) => () => void;

const day = 24 * 60 * 60 * 1000;

/**
 * The client's state in localStorage, under one prefix and one user's scope (user-scope.ts): creates
 * not yet answered, generations this browser started and has not seen finish, and each generation's
 * latest poll. Until the user is known nothing is read or written. A full or missing storage never
 * breaks the client: it then only forgets across reloads.
 */
export class LocalStore {
  private userScope: string | null = null;

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly changes: StorageChanges,
    private readonly prefix: string,
  ) {}

  get scope(): string | null {
    return this.userScope;
  }

  /** Whose state is read and written from now on (null: nobody's). */
  useScope(scope: string | null): void {
    this.userScope = scope;
  }

  /** Forgets one user's state (sign-out), or, with no scope known, every user's under the prefix. */
  clear(scope: string | null = this.userScope): void {
    this.removeWhere((key) => key.startsWith(scope === null ? `${this.prefix}:` : `${this.prefix}:${scope}:`));
  }

  /** Drops state written before it was kept per user: whose it is cannot be told, so nobody may resume it. */
  removeUnscoped(): void {
    const legacy = ['create:', 'active:', 'poll:'].map((kind) => `${this.prefix}:${kind}`);
    this.removeWhere((key) => legacy.some((start) => key.startsWith(start)));
  }

  /** False when the storage refused it (quota: large reference images). */
  savePendingCreate(create: PendingCreate): boolean {
    return this.write(`create:${create.key}`, create);
  }

  /** From the given user's scope (default the current one): resume() removes what it read, whoever is signed in by then. */
  removePendingCreate(key: string, scope: string | null = this.userScope): void {
    if (scope !== null) {
      this.storage.removeItem(this.key(`create:${key}`, scope));
    }
  }

  pendingCreates(): PendingCreate[] {
    return this.entries<PendingCreate>('create:').map(([, value]) => value);
  }

  addActive(id: string, createdAt = Date.now()): void {
    this.write(`active:${id}`, { createdAt });
  }

  removeActive(id: string): void {
    this.remove(`active:${id}`);
  }

  /** Newest first. */
  activeIds(): string[] {
    return this.entries<{ createdAt: number }>('active:')
      .sort(([, a], [, b]) => b.createdAt - a.createdAt)
      .map(([name]) => name);
  }

  pollState(id: string): PollState | undefined {
    return this.read<PollState>(`poll:${id}`);
  }

  savePollState(id: string, state: PollState): void {
    this.write(`poll:${id}`, state);
  }

  removePollState(id: string): void {
    this.remove(`poll:${id}`);
  }

  /** Where the caller-wide event log was last read up to (a changedSince token / Last-Event-ID), and the ETag of that answer. */
  changeToken(): ChangeToken | undefined {
    return this.read<ChangeToken>('changes');
  }

  saveChangeToken(token: ChangeToken): void {
    this.write('changes', token);
  }

  /** Calls back when another tab wrote this generation's poll state (for the user signed in at the time). */
  onPollState(id: string, listener: (state: PollState) => void): () => void {
    return this.changes((changed) => {
      const state = this.userScope !== null && changed === this.key(`poll:${id}`) ? this.pollState(id) : undefined;
      if (state) {
        listener(state);
      }
    });
  }

  /** Drops poll states nobody has touched for a day. */
  prune(now = Date.now()): void {
    for (const [id, state] of this.entries<PollState>('poll:')) {
      if (now - Math.max(state.polledAt, state.receivedAt ?? 0) > day) {
        this.removePollState(id);
      }
    }
  }

  private key(name: string, scope = this.userScope): string {
    return `${this.prefix}:${scope}:${name}`;
  }

  private remove(name: string): void {
    if (this.userScope !== null) {
      this.storage.removeItem(this.key(name));
    }
  }

  private removeWhere(matches: (key: string) => boolean): void {
    const keys: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key !== null && matches(key)) {
        keys.push(key);
      }
    }

    keys.forEach((key) => this.storage.removeItem(key));
  }

  private read<T>(name: string): T | undefined {
    if (this.userScope === null) {
      return undefined;
    }

    const text = this.storage.getItem(this.key(name));
    if (text === null) {
      return undefined;
    }

    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  private write(name: string, value: unknown): boolean {
    if (this.userScope === null) {
      return false;
    }

    try {
      this.storage.setItem(this.key(name), JSON.stringify(value));
      return true;
    } catch {
      return false;
    }
  }

  /** [name after the kind prefix, value] of every entry of one kind. */
  private entries<T>(kind: string): [string, T][] {
    if (this.userScope === null) {
      return [];
    }

    const start = this.key(kind);
    const names: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key?.startsWith(start)) {
        names.push(key.slice(start.length));
      }
    }

    return names.flatMap((name) => {
      const value = this.read<T>(kind + name);
      return value === undefined ? [] : [[name, value] as [string, T]];
    });
  }
}

/** A Storage that lives as long as the page, for where localStorage is missing or refused. */
export class MemoryStorage implements KeyValueStorage {
  private readonly items = new Map<string, string>();

  get length(): number {
    return this.items.size;
  }

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
}

/** localStorage, or memory where it is missing or refused (privacy settings, a sandboxed frame). */
export function browserStorage(): KeyValueStorage {
  try {
    return globalThis.localStorage ?? new MemoryStorage();
  } catch {
    return new MemoryStorage();
  }
}

/** Other tabs' writes to localStorage, from the `storage` event (it never fires for a tab's own writes). */
export function browserStorageChanges(): StorageChanges {
  if (typeof window === 'undefined') {
    return () => () => {};
  }

  return (listener) => {
    const changed = (event: StorageEvent) => event.key && listener(event.key);
    window.addEventListener('storage', changed);
    return () => window.removeEventListener('storage', changed);
  };
}
