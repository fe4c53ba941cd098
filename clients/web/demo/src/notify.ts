import type { Generation } from '@nanobanana/client';

/** Asks once, on a click (browsers only allow asking then). */
export function askToNotify(): void {
  if ('Notification' in window && Notification.permission === 'default') {
    void Notification.requestPermission();
  }
}

/** Tells the person when a generation finished while they were looking elsewhere. */
export function notifyIfHidden(generation: Generation): void {
  if (document.visibilityState !== 'hidden' || !('Notification' in window) || Notification.permission !== 'granted') {
    return;
  }

  const title = generation.status === 'completed' ? 'Your image is ready 🍌' : 'Your image could not be made';
  new Notification(title, { body: generation.prompt.slice(0, 120), tag: generation.id });
}
