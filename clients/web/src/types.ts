/** The API's shapes, as it sends and accepts them (JSON, camelCase). */

export type GenerationStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

export type AspectRatio = '1:1' | '2:3' | '3:2' | '3:4' | '4:3' | '4:5' | '5:4' | '9:16' | '16:9' | '21:9';

export type Resolution = '1K' | '2K' | '4K';

export type InputImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/** A reference image: its type and its bytes as plain base64 (no `data:` prefix). */
export interface InputImage {
  mimeType: InputImageType;
  data: string;
}

export interface CreateGenerationRequest {
  prompt: string;
  images?: InputImage[];
  aspectRatio?: AspectRatio;
  resolution?: Resolution;
  model?: string;
}

export interface GenerationError {
  /** Stable: switch on it (IMAGE_SAFETY, GEMINI_UNAVAILABLE, STUCK...). */
  code: string;
  /** Written for the person holding the phone. */
  message: string;
  /** Whether `retry` could help. */
  retryable: boolean;
}

export interface GeneratedImage {
  /** Path of the image endpoint (needs the bearer token: use `imageUrl`). */
  url: string;
  mimeType: string;
  bytes: number;
}

export interface Generation {
  id: string;
  status: GenerationStatus;
  prompt: string;
  options: { aspectRatio: AspectRatio | null; resolution: Resolution | null; model: string | null };
  inputImageCount: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  elapsedSeconds: number;
  attempts: number;
  error: GenerationError | null;
  images: GeneratedImage[];
  text: string | null;
  /** When to ask again while the generation runs; null once it has finished. */
  pollAfterSeconds: number | null;
}

export interface GenerationPage {
  items: Generation[];
  /** Pass back as `cursor` for the next (older) page; null on the last one. */
  nextCursor: string | null;
}

export interface HistoryQuery {
  status?: GenerationStatus;
  limit?: number;
  cursor?: string;
}

const terminal: ReadonlySet<GenerationStatus> = new Set(['completed', 'failed', 'cancelled']);

/** Completed, failed or cancelled: nothing will change unless someone retries. */
export function isTerminal(status: GenerationStatus): boolean {
  return terminal.has(status);
}
