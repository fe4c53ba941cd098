/** The page's settings: where the API is, and where its bearer token comes from. */

export const apiUrl: string = import.meta.env.VITE_NANOBANANA_API_URL ?? 'http://localhost:7071';

const tokenKey = 'nanobanana-demo:token';

/**
 * The bearer token. Here: one pasted into the page (kept in localStorage) or, for local development,
 * VITE_NANOBANANA_TOKEN (scripts/run-local.sh mints one for a demo user). A real app returns its identity
 * provider's current access token here (Supabase: `(await supabase.auth.getSession()).data.session?.access_token`).
 */
export function currentToken(): string | null {
  return localStorage.getItem(tokenKey) || import.meta.env.VITE_NANOBANANA_TOKEN || null;
}

export function saveToken(token: string): void {
  if (token.trim()) {
    localStorage.setItem(tokenKey, token.trim());
  } else {
    localStorage.removeItem(tokenKey);
  }
}
