import { MemoryStorage, type KeyValueStorage } from '../local-store.js';

/** The part of AsyncStorage (`@react-native-async-storage/async-storage`'s default export) the client uses. */
export interface AsyncStorageLike {
  getAllKeys(): Promise<readonly string[]>;
  multiGet(keys: readonly string[]): Promise<readonly (readonly [string, string | null])[]>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/**
 * The client's keys of AsyncStorage, held in memory: the core reads its storage synchronously (the
 * Web Storage shape), so the keys under the prefix are loaded once at start and every write is passed
 * on to AsyncStorage at once, in order. A write AsyncStorage refuses is kept in memory for this run only,
 * as a full localStorage is.
 */
export class AsyncStorageMirror implements KeyValueStorage {
  private readonly memory = new MemoryStorage();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly asyncStorage: AsyncStorageLike,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Loads the keys under `<prefix>:` (the client's, every user's scope; their scoping is the core's). */
  static async load(asyncStorage: AsyncStorageLike, prefix: string, onError: (error: unknown) => void = () => {}): Promise<AsyncStorageMirror> {
    const mirror = new AsyncStorageMirror(asyncStorage, onError);
    const keys = (await asyncStorage.getAllKeys()).filter((key) => key.startsWith(`${prefix}:`));
    for (const [key, value] of keys.length > 0 ? await asyncStorage.multiGet(keys) : []) {
      if (value !== null) {
        mirror.memory.setItem(key, value);
      }
    }

    return mirror;
  }

  get length(): number {
    return this.memory.length;
  }

  key(index: number): string | null {
    return this.memory.key(index);
  }

  getItem(key: string): string | null {
    return this.memory.getItem(key);
  }

  setItem(key: string, value: string): void {
    this.memory.setItem(key, value);
    this.pass(() => this.asyncStorage.setItem(key, value));
  }

  removeItem(key: string): void {
    this.memory.removeItem(key);
    this.pass(() => this.asyncStorage.removeItem(key));
  }

  /** Resolves once every write so far has reached AsyncStorage (or failed). */
  settled(): Promise<void> {
    return this.writes;
  }

  private pass(write: () => Promise<void>): void {
    // Started at once, so a write handed over before the app is killed is the native module's to keep;
    // chained, so a set and a remove of one key land in the order they were made.
    const started = write();
    this.writes = this.writes.then(() => started).catch(this.onError);
  }
}
