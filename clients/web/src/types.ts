/**
 * The API's shapes, as it sends and accepts them (JSON, camelCase): generated from the API's own
 * OpenAPI description (`npm run generate:api` writes src/openapi.ts from
 * NanoBanana.Functions/Api/openapi.json; a test fails when the two differ), so they cannot drift.
 */
import type { components, operations } from './openapi.js';

type Schemas = components['schemas'];

export type GenerationStatus = Schemas['GenerationStatus'];

export type AspectRatio = Schemas['AspectRatio'];

export type Resolution = Schemas['Resolution'];

/** A reference image: its type and its bytes as plain base64 (no `data:` prefix). */
export type InputImage = Schemas['InputImage'];

export type InputImageType = InputImage['mimeType'];

/** A reference uploaded straight to Blob Storage (`client.upload`), named in a create's images. */
export type UploadedImage = Schemas['UploadedImage'];

/** POST /uploads' answer: where to put the bytes, until when. */
export type Upload = Schemas['Upload'];

/** GET /models: the offered models, the default first. */
export type ModelList = Schemas['ModelList'];

/** One offered model and what a create may ask of it (from the server's model catalog). */
export type Model = Schemas['Model'];

export type CreateGenerationRequest = Schemas['CreateGenerationRequest'];

export type GenerationError = Schemas['GenerationError'];

export type GeneratedImage = Schemas['GeneratedImage'];

/** While pending: how many go first, and when this one should start and finish. */
export type QueuePosition = Schemas['QueuePosition'];

export type Generation = Schemas['Generation'];

export type GenerationPage = Schemas['GenerationPage'];

/** One change of a generation, as the event streams send it (the SSE `id:` of GET /events is its `cursor`). */
export type GenerationEvent = Schemas['GenerationEvent'];

export type GenerationEventKind = Schemas['GenerationEventKind'];

/** GET /generations?changedSince=token: what changed since, and the token to ask with next. */
export type GenerationChanges = Schemas['GenerationChanges'];

export type HistoryQuery = NonNullable<operations['listGenerations']['parameters']['query']>;

/** A problem+json body (RFC 9457) with its stable `code`. */
export type Problem = Schemas['Problem'];

/** What a browser's PushSubscription.toJSON() gives, as POST /push-subscriptions takes it. */
export type PushSubscriptionJson = Schemas['PushSubscriptionRequest'];

/** What the service worker receives in a push (decrypted): no prompt. */
export type PushPayload = Schemas['PushPayload'];

/** Which image of a generation: one of its results, or one of its drafts (interim images while the model thinks). */
export type ImageKind = 'result' | 'draft';

/**
 * The statuses that end a generation: the server's `terminal` set (openapi.json's `x-status-sets`, which
 * test/openapi.test.ts checks this against), written once here for the client.
 */
export const terminalStatuses: ReadonlySet<GenerationStatus> = new Set(['completed', 'failed', 'cancelled', 'expired']);

/** Completed, failed, cancelled or expired (its deadline passed): nothing will change unless someone retries. */
export function isTerminal(status: GenerationStatus): boolean {
  return terminalStatuses.has(status);
}
