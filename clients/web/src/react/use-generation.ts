import { useEffect, useState } from 'react';
import type { ApiError, NetworkError } from '../errors.js';
import type { Generation } from '../types.js';
import { useNanoBananaClient } from './context.js';

export interface GenerationState {
  generation: Generation | undefined;
  /** The last failure while watching; `fatal` ones (gone, not yours) end the watch. */
  error: { error: ApiError | NetworkError; fatal: boolean } | undefined;
}

/** Watches a generation while the component is mounted (one poll per id for the whole page and its tabs). */
export function useGeneration(id: string | null | undefined): GenerationState {
  const client = useNanoBananaClient();
  const [state, setState] = useState<GenerationState>({ generation: undefined, error: undefined });

  useEffect(() => {
    setState({ generation: undefined, error: undefined });
    if (!id) {
      return undefined;
    }

    const watch = client.watch(id, (generation) => setState({ generation, error: undefined }), {
      onError: (error, fatal) => setState((previous) => ({ ...previous, error: { error, fatal } })),
    });
    return () => watch.stop();
  }, [client, id]);

  return state;
}
