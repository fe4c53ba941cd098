import { useNanoBananaClient, useHistory } from '@nanobanana/client/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiUrl, currentToken, saveToken } from './config';
import { OfflineNotice } from './Connectivity';
import { renewPush } from './push';
import { GenerateForm } from './GenerateForm';
import { GenerationCard } from './GenerationCard';
import { History } from './History';
import { InstallHint } from './InstallHint';
import { LiveStatus } from './LiveStatus';
import { TokenForm } from './TokenForm';

/** The page: a form, the generations followed on this page (newest first), and the history. */
export function App() {
  const client = useNanoBananaClient();
  const [signedIn, setSignedIn] = useState(() => currentToken() !== null);
  const [tracked, setTracked] = useState<string[]>([]);
  // Cards refresh the history when their own generation moves; the live view does it for the others (another device's).
  const trackedNow = useRef(tracked);
  trackedNow.current = tracked;
  const history = useHistory({ pageSize: 6 });
  const { refresh } = history;

  const track = useCallback((id: string) => setTracked((ids) => [id, ...ids.filter((other) => other !== id)]), []);

  // After a reload or in a new tab: the generations this browser started and has not seen finish.
  const resume = useCallback(() => {
    void client.resume().then((ids) => setTracked((shown) => [...new Set([...shown, ...ids])]));
  }, [client]);
  useEffect(() => {
    if (signedIn) {
      resume();
      void renewPush(client);
    }
  }, [signedIn, resume, client]);

  // Opened from a push notification: show that generation.
  useEffect(() => {
    const opened = new URLSearchParams(window.location.search).get('generation');
    if (signedIn && opened) {
      track(opened);
    }
  }, [signedIn, track]);

  if (!signedIn) {
    return (
      <main>
        <Header />
        <TokenForm onSaved={() => setSignedIn(true)} />
      </main>
    );
  }

  return (
    <main>
      <Header />
      <OfflineNotice />
      <InstallHint />
      <GenerateForm
        onCreated={(generation) => {
          track(generation.id);
          void refresh();
        }}
        onLost={() => window.addEventListener('online', resume, { once: true })}
      />
      <section aria-label="Your generations" className="tracked">
        {tracked.map((id) => (
          <GenerationCard key={id} id={id} onChanged={() => void refresh()} onDismiss={() => setTracked((ids) => ids.filter((other) => other !== id))} />
        ))}
      </section>
      <History history={history} onOpen={track} />
      <footer>
        <LiveStatus onChange={(generations) => generations.some((g) => !trackedNow.current.includes(g.id)) && void refresh()} /> API: <code>{apiUrl}</code>{' '}
        <button
          type="button"
          onClick={() => {
            // Forget this user's pending creates and followed generations before the token goes.
            client.signOut();
            saveToken('');
            setTracked([]);
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </footer>
    </main>
  );
}

function Header() {
  return (
    <header>
      <h1>
        <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
          <path d="M6 22c8 4 18 0 21-12 1-3 0-5-1-6l-2 1c1 2 1 4 0 6-3 8-10 11-17 9z" fill="#ffe135" stroke="#1d1b16" strokeWidth="1.5" strokeLinejoin="round" />
        </svg>
        NanoBanana
      </h1>
    </header>
  );
}
