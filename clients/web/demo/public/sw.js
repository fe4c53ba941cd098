// The reference page's service worker: keeps the app shell so the page opens with no network, shows a
// notification when the API pushes that a generation ended ({ id, status }: no prompt travels through the
// push service), and opens the page on that generation when it is tapped (focusing a tab that shows it).

// The app shell: the page and the files it names, stored at install; a new build is a new service worker
// (the browser compares this file byte for byte, and the page's asset names carry their hashes).
const SHELL = 'nanobanana-shell-v1';

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
        if (key !== SHELL) {
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

self.addEventListener('push', (event) => {
  const ended = event.data ? event.data.json() : {};
  const title =
    ended.status === 'completed' ? 'Your image is ready 🍌' : ended.status === 'cancelled' ? 'Your image was cancelled' : 'Your image could not be made';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: 'Tap to see it.',
      tag: ended.id,
      data: { url: new URL(`./?generation=${encodeURIComponent(ended.id ?? '')}`, self.registration.scope).href },
    }),
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
