/** The page's settings: where the API is, and where its bearer token comes from. */

export const apiUrl: string = import.meta.env.VITE_NANOBANANA_API_URL ?? 'http://localhost:7071';

const tokenKey = 'nanobanana-demo:token';

/**
 * The bearer token. Here: one pasted into the page, or handed over once in the address's fragment
 * (`#token=...`: scripts/run-local.sh prints such a link for a demo user; a fragment never reaches a
 * server), kept in localStorage. Never a build-time variable: whatever Vite inlines is in the
 * published JavaScript for anyone to read. A real app returns its identity provider's current access
 * token here (Supabase: `(await supabase.auth.getSession()).data.session?.access_token`).
 */
export function currentToken(): string | null {
  return localStorage.getItem(tokenKey) || null;
}

export function saveToken(token: string): void {
  if (token.trim()) {
    localStorage.setItem(tokenKey, token.trim());
  } else {
    localStorage.removeItem(tokenKey);
  }
}

/** Takes a token handed over in the fragment into storage, and out of the address bar and history. */
export function adoptTokenFromFragment(): void {
  const handed = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (handed) {
    saveToken(handed);
    history.replaceState(history.state, '', window.location.pathname + window.location.search);
  }
}
