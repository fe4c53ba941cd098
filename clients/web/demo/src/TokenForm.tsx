import { useState } from 'react';
import { saveToken } from './config';

/** Development sign-in: paste a token from scripts/dev-token.sh. A real app signs in with its identity provider. */
export function TokenForm({ onSaved }: { onSaved: () => void }) {
  const [token, setToken] = useState('');
  return (
    <form
      className="card"
      onSubmit={(event) => {
        event.preventDefault();
        saveToken(token);
        onSaved();
      }}
    >
      <label htmlFor="token">Bearer token</label>
      <textarea id="token" rows={4} value={token} onChange={(e) => setToken(e.target.value)} placeholder="scripts/dev-token.sh alice" required />
      <button type="submit">Sign in</button>
    </form>
  );
}
