import { useEffect, useMemo } from 'react';

/** Up to `max` reference images of the `accept` types, with previews and a way to take one out. */
export function ReferenceImages({ files, onChange, max, accept }: { files: File[]; onChange: (files: File[]) => void; max: number; accept: readonly string[] }) {
  const previews = useMemo(() => files.map((file) => URL.createObjectURL(file)), [files]);
  useEffect(() => () => previews.forEach((url) => URL.revokeObjectURL(url)), [previews]);

  return (
    <div className="references">
      {previews.map((url, index) => (
        <figure key={url}>
          <img src={url} alt={`Reference ${index + 1}`} />
          <button type="button" aria-label={`Remove reference ${index + 1}`} onClick={() => onChange(files.filter((_, i) => i !== index))}>
            ✕
          </button>
        </figure>
      ))}
      {files.length < max && (
        <label className="add-reference">
          + Reference image
          <input
            type="file"
            accept={accept.join(',')}
            multiple
            hidden
            onChange={(event) => {
              onChange([...files, ...Array.from(event.target.files ?? [])].slice(0, max));
              event.target.value = '';
            }}
          />
        </label>
      )}
    </div>
  );
}
