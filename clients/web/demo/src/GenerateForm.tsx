import { ApiError, NetworkError, toInputImage, type AspectRatio, type Generation, type InputImage, type Resolution } from '@nanobanana/client';
import { useNanoBananaClient } from '@nanobanana/client/react';
import { useState } from 'react';
import { askToNotify } from './notify';
import { ReferenceImages } from './ReferenceImages';

const aspectRatios: AspectRatio[] = ['9:16', '1:1', '3:4', '4:3', '2:3', '3:2', '4:5', '5:4', '16:9', '21:9'];
const resolutions: Resolution[] = ['1K', '2K', '4K'];

/** Prompt, up to 3 reference images, aspect ratio and resolution. */
export function GenerateForm({ onCreated, onLost }: { onCreated: (generation: Generation) => void; onLost: () => void }) {
  const client = useNanoBananaClient();
  const [prompt, setPrompt] = useState('');
  const [images, setImages] = useState<File[]>([]);
  const [aspectRatio, setAspectRatio] = useState<AspectRatio>('9:16');
  const [resolution, setResolution] = useState<Resolution>('1K');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  async function submit() {
    askToNotify(client);
    setBusy(true);
    setProblem(undefined);
    try {
      const references: InputImage[] = await Promise.all(images.map(toInputImage));
      const generation = await client.create({ prompt, aspectRatio, resolution, ...(references.length ? { images: references } : {}) });
      setPrompt('');
      setImages([]);
      onCreated(generation);
    } catch (error) {
      if (error instanceof NetworkError) {
        setProblem('No connection. It will be sent again when you are back online.');
        onLost();
      } else if (error instanceof ApiError) {
        setProblem(error.retryAfterSeconds ? `${error.message} (try again in ${error.retryAfterSeconds} s)` : error.message);
      } else {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="prompt">Describe your image</label>
      <textarea id="prompt" data-testid="prompt" rows={3} maxLength={10000} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="A banana surfing a wave at sunset" required />
      <ReferenceImages files={images} onChange={setImages} max={3} />
      <div className="row">
        <label>
          Aspect
          <select value={aspectRatio} onChange={(e) => setAspectRatio(e.target.value as AspectRatio)}>
            {aspectRatios.map((ratio) => (
              <option key={ratio}>{ratio}</option>
            ))}
          </select>
        </label>
        <label>
          Resolution
          <select value={resolution} onChange={(e) => setResolution(e.target.value as Resolution)}>
            {resolutions.map((size) => (
              <option key={size}>{size}</option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit" data-testid="generate" disabled={busy || !prompt.trim()}>
        {busy ? 'Sending…' : 'Generate'}
      </button>
      {problem && (
        <p role="alert" className="problem">
          {problem}
        </p>
      )}
    </form>
  );
}
