import { isTerminal, type Generation } from '@nanobanana/client';
import { useGeneration, useImageUrl, useNanoBananaClient } from '@nanobanana/client/react';
import { useEffect, useRef, useState } from 'react';
import { failureMessage } from './failure-messages';
import { notifyIfHidden } from './notify';
import { Elapsed } from './Elapsed';
import { QueuePlace } from './QueuePlace';

/** One generation followed live: processing with a timer, the result, or why it failed; `onChanged` when its status moves. */
export function GenerationCard({ id, onChanged, onDismiss }: { id: string; onChanged: () => void; onDismiss: () => void }) {
  const { generation, error } = useGeneration(id);
  const previous = useRef<Generation>(undefined);

  useEffect(() => {
    const before = previous.current;
    previous.current = generation;
    if (!generation || !before || before.status === generation.status) {
      return;
    }

    if (!isTerminal(before.status) && isTerminal(generation.status)) {
      notifyIfHidden(generation);
    }

    onChanged();
  }, [generation, onChanged]);

  return (
    <article className="card generation" data-testid="generation" data-id={id} data-status={generation?.status ?? 'loading'}>
      <button type="button" className="dismiss" aria-label="Hide" onClick={onDismiss}>
        ✕
      </button>
      <p className="prompt">{generation?.prompt ?? '…'}</p>
      {!generation ? (
        <p data-testid="status">{error?.fatal ? 'This generation is gone.' : 'Loading…'}</p>
      ) : (
        <Body generation={generation} />
      )}
      {error && !error.fatal && generation && !isTerminal(generation.status) && <p className="hint">Offline? Still trying…</p>}
    </article>
  );
}

function Body({ generation }: { generation: Generation }) {
  switch (generation.status) {
    case 'pending':
    case 'processing':
      return <Processing generation={generation} />;
    case 'completed':
      return <Result generation={generation} />;
    case 'failed':
      return <Failed generation={generation} />;
    case 'cancelled':
    case 'expired':
      return <Stopped generation={generation} />;
  }
}

/** Cancelled or expired: why, and whether Google may bill the call it had started (cancelOutcome). */
function Stopped({ generation }: { generation: Generation }) {
  const why =
    generation.status === 'expired'
      ? 'Not started before its deadline.'
      : generation.error?.code === 'DEADLINE_EXCEEDED'
        ? 'Stopped at its deadline.'
        : 'Cancelled.';
  const billed =
    generation.cancelOutcome === 'after_call'
      ? 'Gemini had started on it, so Google may bill that call.'
      : 'Gemini had not started on it: nothing is billed.';
  return (
    <>
      <p data-testid="status">{why}</p>
      <p className="hint" data-testid="cancel-outcome" data-outcome={generation.cancelOutcome ?? ''}>
        {billed}
      </p>
      <Action label="Try again" testId="retry" run={(client) => client.retry(generation.id)} />
    </>
  );
}

function Processing({ generation }: { generation: Generation }) {
  return (
    <>
      {generation.drafts.length > 0 && <LatestDraft generation={generation} />}
      <div className="processing">
        <span className="spinner" aria-hidden="true" />
        <p data-testid="status">Processing…</p>
        <Elapsed generation={generation} />
      </div>
      {generation.queue && <QueuePlace queue={generation.queue} />}
      <p className="hint">You can lock your phone or close this tab: it keeps going.</p>
      <Action label="Cancel" testId="cancel" secondary run={(client) => client.cancel(generation.id)} />
    </>
  );
}

/** The model's latest interim image while it thinks: clearly a draft, not the result. */
function LatestDraft({ generation }: { generation: Generation }) {
  const index = generation.drafts.length - 1;
  const { url } = useImageUrl(generation.id, index, 'draft');
  return (
    <figure className="draft" data-testid="draft" data-index={index}>
      {url ? <img data-testid="draft-image" className="result" src={url} alt={`Draft of: ${generation.prompt}`} /> : <div className="result placeholder" />}
      <figcaption>Draft {index + 1}: the model is still working on it</figcaption>
    </figure>
  );
}

function Result({ generation }: { generation: Generation }) {
  const { url, error } = useImageUrl(generation.images.length > 0 ? generation.id : null);
  return (
    <>
      <p data-testid="status" className="sr-only">
        Completed.
      </p>
      {url ? <img data-testid="result-image" className="result" src={url} alt={generation.prompt} /> : <div className="result placeholder">{error ? 'The image could not be loaded.' : ''}</div>}
      {generation.text && <p className="model-text">{generation.text}</p>}
      <p className="hint">Done in {generation.elapsedSeconds.toFixed(0)} s</p>
      <Action label="Download" testId="download" run={(client) => client.download(generation.id, 0)} />
    </>
  );
}

function Failed({ generation }: { generation: Generation }) {
  return (
    <>
      <p data-testid="failure" data-code={generation.error?.code} role="alert" className="problem">
        {failureMessage(generation.error)}
      </p>
      {generation.error?.retryable && <Action label="Retry" testId="retry" run={(client) => client.retry(generation.id)} />}
    </>
  );
}

/** A button that runs one client call, disabled while it runs, saying so if it fails. */
function Action({ label, testId, run, secondary }: { label: string; testId: string; run: (client: ReturnType<typeof useNanoBananaClient>) => Promise<unknown>; secondary?: boolean }) {
  const client = useNanoBananaClient();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  return (
    <>
      <button
        type="button"
        data-testid={testId}
        className={secondary ? 'secondary' : undefined}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setProblem(undefined);
          run(client)
            .catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)))
            .finally(() => setBusy(false));
        }}
      >
        {label}
      </button>
      {problem && <p className="problem">{problem}</p>}
    </>
  );
}
