import { ApiError, NetworkError, type AspectRatio, type Generation, type Model, type Resolution, type UploadedImage } from '@nanobanana/client';
import { useNanoBananaClient } from '@nanobanana/client/react';
import { useEffect, useState } from 'react';
import { askToNotify } from './notify';
import { ReferenceImages } from './ReferenceImages';

/** Until GET /models answers (or if it cannot): what every offered model takes. */
const fallback: Pick<Model, 'aspectRatios' | 'imageSizes' | 'maxReferenceImages' | 'inputMimeTypes'> = {
  aspectRatios: ['9:16', '1:1', '3:4', '4:3', '2:3', '3:2', '4:5', '5:4', '16:9', '21:9'],
  imageSizes: ['1K', '2K', '4K'],
  maxReferenceImages: 3,
  inputMimeTypes: ['image/png', 'image/jpeg', 'image/webp'],
};

/** Prompt, model, reference images, aspect ratio and resolution: the choices are the chosen model's (GET /models). */
export function GenerateForm({ onCreated, onLost }: { onCreated: (generation: Generation) => void; onLost: () => void }) {
  const client = useNanoBananaClient();
  const [prompt, setPrompt] = useState('');
  const [images, setImages] = useState<File[]>([]);
  const [models, setModels] = useState<Model[]>([]);
  const [modelId, setModelId] = useState<string>();
  const [aspectRatio, setAspectRatio] = useState<AspectRatio>('9:16');
  const [resolution, setResolution] = useState<Resolution>('1K');

  useEffect(() => {
    client.models().then(
      (list) => {
        setModels(list.models);
        setModelId(list.defaultModel);
      },
      () => undefined, // the fallback choices still make a valid request for the default model
    );
  }, [client]);

  const model = models.find((m) => m.id === modelId);
  const options = model ?? fallback;
  const ratio = options.aspectRatios.includes(aspectRatio) ? aspectRatio : options.aspectRatios[0]!;
  const size = options.imageSizes.includes(resolution) ? resolution : (model?.defaultImageSize as Resolution | null) ?? options.imageSizes[0];
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  async function submit() {
    askToNotify(client);
    setBusy(true);
    setProblem(undefined);
    try {
      // Straight to Blob Storage (POST /api/uploads, then resumable blocks): a phone photo is too big to send as base64.
      const references: UploadedImage[] = await Promise.all(images.slice(0, options.maxReferenceImages).map((file) => client.upload(file)));
      const generation = await client.create({
        prompt,
        aspectRatio: ratio,
        ...(size ? { resolution: size } : {}),
        ...(model && !model.isDefault ? { model: model.id } : {}),
        ...(references.length ? { images: references } : {}),
      });
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
      <ReferenceImages files={images.slice(0, options.maxReferenceImages)} onChange={setImages} max={options.maxReferenceImages} accept={options.inputMimeTypes} />
      <div className="row">
        {models.length > 1 && (
          <label>
            Model
            <select data-testid="model" value={modelId} onChange={(e) => setModelId(e.target.value)}>
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName ?? m.id}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Aspect
          <select data-testid="aspect-ratio" value={ratio} onChange={(e) => setAspectRatio(e.target.value as AspectRatio)}>
            {options.aspectRatios.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        {options.imageSizes.length > 0 && (
          <label>
            Resolution
            <select data-testid="resolution" value={size} onChange={(e) => setResolution(e.target.value as Resolution)}>
              {options.imageSizes.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        )}
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
