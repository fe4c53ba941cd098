import type { Generation } from '@nanobanana/client';
import { useImageUrl, type HistoryState } from '@nanobanana/client/react';

const statusLabels: Record<Generation['status'], string> = {
  pending: 'Waiting',
  processing: 'Processing',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** The caller's generations, newest first, with thumbnails and load-more. */
export function History({ history, onOpen }: { history: HistoryState; onOpen: (id: string) => void }) {
  return (
    <section className="history" aria-label="History">
      <h2>History</h2>
      {history.items.length === 0 && !history.isLoading && <p className="hint">Nothing yet.</p>}
      <ul>
        {history.items.map((generation) => (
          <li key={generation.id} data-testid="history-item" data-id={generation.id}>
            <button type="button" onClick={() => onOpen(generation.id)}>
              <Thumbnail generation={generation} />
              <span className="history-text">
                <span className="history-prompt">{generation.prompt}</span>
                <span className={`badge ${generation.status}`}>{statusLabels[generation.status]}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {history.error && <p className="problem">{history.error.message}</p>}
      {history.hasMore && (
        <button type="button" data-testid="load-more" className="secondary" disabled={history.isLoading} onClick={() => void history.loadMore()}>
          {history.isLoading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function Thumbnail({ generation }: { generation: Generation }) {
  const { url } = useImageUrl(generation.status === 'completed' && generation.images.length > 0 ? generation.id : null);
  return url ? <img className="thumb" src={url} alt="" /> : <span className="thumb empty" aria-hidden="true" />;
}
