import { inject } from 'vitest';

/** The test front's control server: users, the Gemini fake's rules and answers, what reached the API. */
const controlUrl = () => inject('controlUrl');

export interface User {
  userId: string;
  token: string;
}

export interface GeminiCall {
  sequence: number;
  prompt: string;
  outcome: string;
  mimeType: string | null;
  /** base64 of the image Gemini returned. */
  data: string | null;
  /** What the worker asked of Gemini. */
  model: string | null;
  aspectRatio: string | null;
  imageSize: string | null;
  /** The reference images the worker sent Gemini: type and decoded size (-1: by URL). */
  references: { mimeType: string; bytes: number }[];
}

export interface FrontRequest {
  at: string;
  /** How long the front took to answer it (a long-poll: how long it was held). */
  ms: number;
  method: string;
  path: string;
  /** The query string, with its `?` (or empty). */
  query: string;
  status: number;
  ifNoneMatch: string | null;
  idempotencyKey: string | null;
  origin: string | null;
  prefer: string | null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(controlUrl() + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }

  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const control = {
  newUser: () => call<User>('POST', '/users'),
  generationCount: async (userId: string) => (await call<{ count: number }>('GET', `/users/${userId}/generations/count`)).count,
  row: (id: string) => call<{ status: string; attempt: number; errorCode: string | null; completedAt: number | null }>('GET', `/generations/${id}`),
  /** Long-polls the API is holding now. */
  waiting: async () => (await call<{ waiting: number }>('GET', '/waiting')).waiting,
  /** Calls whose prompt contains `marker` wait for {@link release}, or end without an image, or fail. */
  rule: (marker: string, rule: { hold?: boolean; finishReason?: string; status?: number; times?: number; draft?: boolean }) => call<void>('PUT', `/gemini/rules/${marker}`, rule),
  release: (marker: string) => call<void>('POST', `/gemini/rules/${marker}/release`),
  calls: (marker: string) => call<GeminiCall[]>('GET', `/gemini/calls?marker=${encodeURIComponent(marker)}`),
  requests: (filter: { method?: string; path?: string } = {}) =>
    call<FrontRequest[]>('GET', `/requests?${new URLSearchParams(filter as Record<string, string>)}`),
};

/** A word no other test's prompt contains, to steer the Gemini fake for one generation. */
export function marker(): string {
  return `m${Math.random().toString(36).slice(2, 10)}`;
}

/** Polls `probe` until it returns something truthy. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }

    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
