export { NanoBananaProvider, useNanoBananaClient } from './context.js';
export { useGeneration } from './use-generation.js';
export type { GenerationState } from './use-generation.js';
export { useHistory } from './use-history.js';
export type { HistoryState } from './use-history.js';
export { useImageUrl } from './use-image-url.js';
