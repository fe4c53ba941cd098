import { NanoBananaClient } from '@nanobanana/client';
import { NanoBananaProvider } from '@nanobanana/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { adoptTokenFromFragment, apiUrl, currentToken } from './config';
import { registerServiceWorker } from './push';
import './styles.css';

adoptTokenFromFragment();
const client = new NanoBananaClient({ baseUrl: apiUrl, token: currentToken });
registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <NanoBananaProvider client={client}>
      <App />
    </NanoBananaProvider>
  </StrictMode>,
);
