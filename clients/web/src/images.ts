import type { InputImage, InputImageType } from './types.js';

const inputTypes: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'] satisfies InputImageType[];

const extensions: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** A picked file as a reference image for `create` (PNG, JPEG or WebP; the server checks the bytes too). */
export async function toInputImage(file: Blob): Promise<InputImage> {
  if (!inputTypes.includes(file.type)) {
    throw new TypeError(`Reference images must be PNG, JPEG or WebP, not ${file.type || 'an unknown type'}.`);
  }

  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode takes arguments, not an array: keep them few
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }

  return { mimeType: file.type as InputImageType, data: btoa(binary) };
}

/** The name a download gets: the server's (Content-Disposition) or `<id>-<index>.<ext>`. */
export function downloadName(contentDisposition: string | null, id: string, index: number, mimeType: string): string {
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(contentDisposition ?? '')?.[1];
  if (encoded) {
    return decodeURIComponent(encoded.trim());
  }

  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(contentDisposition ?? '')?.[1];
  return plain?.trim() || `${id}-${index}.${extensions[mimeType] ?? 'bin'}`;
}

/** Saves a blob as a file through a temporary link (what a download button does). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not now: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
