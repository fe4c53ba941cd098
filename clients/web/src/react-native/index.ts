import { NanoBananaClient } from '../client.js';
import type { NanoBananaClientOptions } from '../client-options.js';
import { inTabLocks } from '../tab-locks.js';
import { AsyncStorageMirror, type AsyncStorageLike } from './async-storage.js';
import { appStateSignals, type AppStateLike, type OnlineSignal } from './app-state.js';

export { AsyncStorageMirror } from './async-storage.js';
export type { AsyncStorageLike } from './async-storage.js';
export { appStateSignals, netInfoOnline } from './app-state.js';
export type { AppStateLike, NetInfoLike, OnlineSignal } from './app-state.js';

export interface ReactNativeClientOptions extends Omit<NanoBananaClientOptions, 'storage' | 'page' | 'locks' | 'storageChanges'> {
  /** `@react-native-async-storage/async-storage`'s default export (or anything shaped like it). */
  asyncStorage: AsyncStorageLike;
  /** `AppState` from `react-native`. */
  appState: AppStateLike;
  /** The network's state, e.g. `netInfoOnline(NetInfo)`; without it the app is taken to be online. */
  online?: OnlineSignal;
  /** A write AsyncStorage refused (it is then kept for this run only). */
  onStorageError?: (error: unknown) => void;
}

/**
 * The client for a React Native / Expo app: its state in AsyncStorage (loaded before the client starts,
 * so `resume()` after a restart sees the creates whose answer was lost), wake-ups from AppState and the
 * network, and locks for one JavaScript context (an app has no other tabs). The modules are passed in:
 * nothing here imports `react-native`.
 */
export async function createReactNativeClient(options: ReactNativeClientOptions): Promise<NanoBananaClient> {
  const { asyncStorage, appState, online, onStorageError, ...client } = options;
  const storage = await AsyncStorageMirror.load(asyncStorage, client.storagePrefix ?? 'nanobanana', onStorageError);
  return new NanoBananaClient({
    // React Native's fetch gives no body to read as it arrives: no event streams unless the app brings a fetch that does.
    live: false,
    ...client,
    storage,
    page: appStateSignals(appState, online),
    locks: inTabLocks(),
    storageChanges: () => () => {},
  });
}
