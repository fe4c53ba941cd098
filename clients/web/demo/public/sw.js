// The reference page's service worker: shows a notification when the API pushes that a generation
// ended ({ id, status }: no prompt travels through the push service), and opens the page on that
// generation when it is tapped (focusing a tab that already shows the page).
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
