import type { PageSignals, WakeReason } from '../page-signals.js';

/** The part of React Native's `AppState` the client uses. */
export interface AppStateLike {
  /** 'active', 'background', 'inactive' (iOS: app switcher, a call), 'unknown'... */
  readonly currentState: string | null;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

/** Whether the device has a network, and when that changes: what `navigator.onLine` and `online` are in a page. */
export interface OnlineSignal {
  isOnline(): boolean;
  /** Calls back with each change; returns the unsubscribe. */
  onChange(listener: (online: boolean) => void): () => void;
}

/** The part of `@react-native-community/netinfo`'s default export the client uses. */
export interface NetInfoLike {
  addEventListener(listener: (state: { isConnected: boolean | null; isInternetReachable?: boolean | null }) => void): () => void;
}

/**
 * An app's lifecycle as the page signals the core knows: coming to the foreground (AppState `active`)
 * is a wake-up like a page becoming visible, going to the `background` is a page being hidden, and
 * the network coming back (when an {@link OnlineSignal} is given) is `online`. Without one the app is
 * taken to be online, as a browser without `navigator.onLine` is.
 */
export function appStateSignals(appState: AppStateLike, online?: OnlineSignal): PageSignals {
  const onChange = (listener: (previous: string | null, next: string) => void) => {
    let previous = appState.currentState;
    const subscription = appState.addEventListener('change', (next) => {
      const before = previous;
      previous = next;
      listener(before, next);
    });
    return () => subscription.remove();
  };

  return {
    // 'inactive' is iOS's passing state (a call, the app switcher): the app still runs and polls on.
    isHidden: () => appState.currentState === 'background',
    isOnline: () => online?.isOnline() ?? true,
    onWake(listener: (reason: WakeReason) => void) {
      const stopState = onChange((previous, next) => next === 'active' && previous !== 'active' && listener('visible'));
      const stopOnline = online?.onChange((isOnline) => isOnline && listener('online')) ?? (() => {});
      return () => {
        stopState();
        stopOnline();
      };
    },
    onHide(listener: () => void) {
      return onChange((previous, next) => next === 'background' && previous !== 'background' && listener());
    },
  };
}

/**
 * NetInfo as an {@link OnlineSignal}: online unless NetInfo says there is no connection or no internet
 * behind it (null, not yet known, counts as online). Subscribes at once, for the life of the app.
 */
export function netInfoOnline(netInfo: NetInfoLike): OnlineSignal {
  let online = true;
  const listeners = new Set<(online: boolean) => void>();
  netInfo.addEventListener((state) => {
    const next = state.isConnected !== false && state.isInternetReachable !== false;
    if (next !== online) {
      online = next;
      listeners.forEach((listener) => listener(next));
    }
  });
  return {
    isOnline: () => online,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
