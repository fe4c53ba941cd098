import { createContext, useContext, type ReactNode } from 'react';
import type { NanoBananaClient } from '../client.js';

const ClientContext = createContext<NanoBananaClient | null>(null);

/** Makes one client available to the hooks below it. */
export function NanoBananaProvider({ client, children }: { client: NanoBananaClient; children?: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useNanoBananaClient(): NanoBananaClient {
  const client = useContext(ClientContext);
  if (!client) {
    throw new Error('useNanoBananaClient must be used inside <NanoBananaProvider client={...}>.');
  }

  return client;
}
