import { useEffect, useState } from 'react';
import type { ImageKind } from '../types.js';
import { useNanoBananaClient } from './context.js';

/** An object URL of a result image (or, with `kind: 'draft'`, a draft) while mounted (revoked after); undefined until loaded or without an id. */
export function useImageUrl(id: string | null | undefined, index = 0, kind: ImageKind = 'result'): { url: string | undefined; error: Error | undefined } {
  const client = useNanoBananaClient();
  const [state, setState] = useState<{ url: string | undefined; error: Error | undefined }>({ url: undefined, error: undefined });

  useEffect(() => {
    setState({ url: undefined, error: undefined });
    if (!id) {
      return undefined;
    }

    let url: string | undefined;
    let cancelled = false;
    client.imageUrl(id, index, kind).then(
      (loaded) => {
        url = loaded;
        if (cancelled) {
          URL.revokeObjectURL(loaded);
        } else {
          setState({ url: loaded, error: undefined });
        }
      },
      (error: unknown) => !cancelled && setState({ url: undefined, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      cancelled = true;
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [client, id, index, kind]);

  return state;
}
