export { NanoBananaClient } from './client.js';
export type { NanoBananaClientOptions, CreateOptions, LiveView, Watch, WatchOptions } from './client-options.js';
export type { LiveListener, LiveState } from './live-feed.js';
export { EventStreamParser } from './sse-parser.js';
export type { EventStreamHandlers, ServerSentEvent } from './sse-parser.js';
export { ApiError, NetworkError } from './errors.js';
export type { FieldError } from './errors.js';
export type { TokenSource } from './http.js';
export { toInputImage } from './images.js';
export { UploadRefused, blockId } from './uploads.js';
export type { UploadProgress } from './uploads.js';
export { MemoryStorage } from './local-store.js';
export type { KeyValueStorage, StorageChanges } from './local-store.js';
export { browserPageSignals } from './page-signals.js';
export type { PageSignals, WakeReason } from './page-signals.js';
export { browserTabLocks, inTabLocks } from './tab-locks.js';
export type { TabLocks } from './tab-locks.js';
export { isTerminal } from './types.js';
export type {
  AspectRatio,
  CreateGenerationRequest,
  GeneratedImage,
  Generation,
  GenerationChanges,
  GenerationError,
  GenerationEvent,
  GenerationEventKind,
  GenerationPage,
  GenerationStatus,
  HistoryQuery,
  ImageKind,
  InputImage,
  InputImageType,
  Upload,
  UploadedImage,
  Model,
  ModelList,
  Problem,
  PushPayload,
  PushSubscriptionJson,
  QueuePosition,
  Resolution,
} from './types.js';
