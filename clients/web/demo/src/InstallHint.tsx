import { useState } from 'react';

const dismissedKey = 'nanobanana-demo:install-hint-dismissed';

/**
 * On an iPhone or iPad, Web Push exists only for a page added to the Home Screen (iOS 16.4+), and Safari
 * has no install prompt of its own: the page says how, until it runs installed or the hint is dismissed.
 */
export function InstallHint() {
  const [shown, setShown] = useState(() => isAppleMobile() && !isInstalled() && localStorage.getItem(dismissedKey) === null);
  if (!shown) {
    return null;
  }

  return (
    <p className="notice" data-testid="install-hint">
      To hear when your images are ready, add NanoBanana to your Home Screen: tap Share, then “Add to Home Screen”.{' '}
      <button
        type="button"
        className="link"
        onClick={() => {
          localStorage.setItem(dismissedKey, '1');
          setShown(false);
        }}
      >
        Not now
      </button>
    </p>
  );
}

function isAppleMobile(): boolean {
  // iPadOS reports itself as a Mac; its touch screen tells them apart.
  return /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1);
}

function isInstalled(): boolean {
  return window.matchMedia('(display-mode: standalone)').matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;
}
