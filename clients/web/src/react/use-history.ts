import { useCallback, useEffect, useRef, useState } from 'react';
import type { Generation, GenerationStatus } from '../types.js';
import { useNanoBananaClient } from './context.js';

export interface HistoryState {
  items: Generation[];
  hasMore: boolean;
  isLoading: boolean;
  error: Error | undefined;
  /** Appends the next (older) page. */
  loadMore(): Promise<void>;
  /** Reads the first page again (after a create, a delete, a generation finishing). */
  refresh(): Promise<void>;
}

/** The caller's generations, newest first, a page at a time. */
export function useHistory(options: { status?: GenerationStatus; pageSize?: number } = {}): HistoryState {
  const client = useNanoBananaClient();
  const { status, pageSize = 10 } = options;
  const [items, setItems] = useState<Generation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [isLoading, setLoading] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  // Answers to an older request (before a refresh) are dropped.
  const generation = useRef(0);

  const load = useCallback(
    async (from: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await client.history({ limit: pageSize, ...(status ? { status } : {}), ...(from ? { cursor: from } : {}) });
        if (mine === generation.current) {
          setItems((previous) => (from ? [...previous, ...page.items.filter((item) => !previous.some((p) => p.id === item.id))] : page.items));
          setCursor(page.nextCursor);
          setError(undefined);
        }
      } catch (caught) {
        if (mine === generation.current) {
          setError(caught instanceof Error ? caught : new Error(String(caught)));
        }
      } finally {
        if (mine === generation.current) {
          setLoading(false);
        }
      }
    },
    [client, pageSize, status],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return {
    items,
    hasMore: cursor !== null,
    isLoading,
    error,
    loadMore: () => (cursor ? load(cursor) : Promise.resolve()),
    refresh: () => load(null),
  };
}
