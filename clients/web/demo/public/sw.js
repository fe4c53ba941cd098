// The reference page's service worker: keeps the app shell so the page opens with no network, shows a
// notification when the API pushes that a generation ended (its id and status, maybe as a Declarative Web
// Push message: no prompt travels through the push service), and opens the page on that generation when
// it is tapped (focusing a tab that shows it).

// The app shell: the page and the files it names, stored at install; a new build is a new service worker
// (the browser compares this file byte for byte, and the page's asset names carry their hashes).
const SHELL = 'nanobanana-shell-v1';
// What the worker records for the page (a subscription change to re-register): kept across shell updates.
const PUSH_STATE = 'nanobanana-push-state';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const page = await fetch(new Request(self.registration.scope, { cache: 'reload' }));
      const html = await page.clone().text();
      const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
        .map((match) => new URL(match[1], self.registration.scope))
        .filter((url) => url.origin === self.location.origin && !url.pathname.endsWith('/'));
      await cache.put(self.registration.scope, page);
      await cache.addAll([...new Set(named.map((url) => url.href))]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== SHELL && key !== PUSH_STATE) {
          await caches.delete(key);
        }
      }

      await self.clients.claim();
    })(),
  );
});

// The page and its small files (manifest, icons; the dev server's modules): the network first, so a new
// build or an edit shows at once, and the stored copy when there is no network. The build's hashed files
// (assets/): the stored copy first, since their names change with their content. The API is on another
// origin and never cached here: its answers are the client's to keep.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) {
    return;
  }

  // ignoreVary: servers answer the page's files with `Vary: Origin`, and the page asks for its module
  // scripts with an Origin header (crossorigin) that the stored copy's request did not carry.
  const stored = () => caches.match(request.mode === 'navigate' ? self.registration.scope : request, { ignoreVary: true });
  if (url.pathname.includes('/assets/')) {
    event.respondWith((async () => (await stored()) ?? fetch(request))());
    return;
  }

  event.respondWith(fetch(request).catch(async () => (await stored()) ?? Response.error()));
});

// Two shapes: a Declarative Web Push message ({ web_push: 8030, notification: { title, body, navigate, tag },
// id, status }, which Safari can show without this worker) and the plain { id, status }. Every push shows a
// notification, even one that cannot be read: a push that shows none counts against the subscription
// (Safari revokes it after a few, Chrome shows a generic one).
self.addEventListener('push', (event) => {
  event.waitUntil(self.registration.showNotification(...notificationFor(event.data)));
});

function notificationFor(data) {
  let ended = {};
  try {
    ended = data ? data.json() : {};
  } catch {
    ended = {}; // not JSON: the generic notification below
  }

  if (typeof ended !== 'object' || ended === null) {
    ended = {};
  }

  const declared = typeof ended.notification === 'object' && ended.notification !== null ? ended.notification : null;
  if (declared && typeof declared.title === 'string') {
    return [
      declared.title,
      {
        body: typeof declared.body === 'string' ? declared.body : 'Tap to see it.',
        tag: typeof declared.tag === 'string' ? declared.tag : ended.id,
        data: { url: typeof declared.navigate === 'string' ? sameScope(declared.navigate) : generationUrl(ended.id) },
      },
    ];
  }

  const title =
    ended.status === 'completed'
      ? 'Your image is ready 🍌'
      : ended.status === 'cancelled'
        ? 'Your image was cancelled'
        : typeof ended.status === 'string'
          ? 'Your image could not be made'
          : 'Something changed in your images';
  return [title, { body: 'Tap to see it.', tag: typeof ended.id === 'string' ? ended.id : undefined, data: { url: generationUrl(ended.id) } }];
}

function generationUrl(id) {
  return typeof id === 'string' ? new URL(`./?generation=${encodeURIComponent(id)}`, self.registration.scope).href : self.registration.scope;
}

// A navigate URL outside this page's scope is not opened by this worker (the server's setting names another
// origin): the page itself, on the generation from the URL's query.
function sameScope(navigate) {
  try {
    const url = new URL(navigate, self.registration.scope);
    return url.href.startsWith(self.registration.scope) ? url.href : generationUrl(url.searchParams.get('generation') ?? undefined);
  } catch {
    return self.registration.scope;
  }
}

// The push service replaced or dropped the subscription. Posting the new one needs the user's token, which
// the worker does not have: it records the change, and the page re-registers on its next open (push.ts
// compares getSubscription() with the server on every open). Re-subscribing here keeps pushes arriving
// meanwhile where the browser allows it.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const key = event.oldSubscription?.options?.applicationServerKey;
      if (!event.newSubscription && key) {
        try {
          await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        } catch {
          // permission gone or no push service: the page asks again from a tap
        }
      }

      const cache = await caches.open(PUSH_STATE);
      await cache.put('subscription-changed', new Response(new Date().toISOString()));
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data?.url ?? self.registration.scope;
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = pages.find((page) => page.url.startsWith(self.registration.scope));
      if (open) {
        await open.navigate(url);
        return open.focus();
      }

      return self.clients.openWindow(url);
    })(),
  );
});
