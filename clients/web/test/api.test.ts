import { describe, expect, it } from 'vitest';
import { ApiError, NanoBananaClient } from '../src/index.js';
import { retryAfterSeconds } from '../src/http.js';
import { downloadName } from '../src/images.js';
import { FakeApi, problem } from './fakes.js';

describe('requests', () => {
  it('asks the token source before each request and sends it as a bearer token', async () => {
    const api = new FakeApi();
    let calls = 0;
    const client = new NanoBananaClient({ baseUrl: 'http://api.test', token: async () => `t${++calls}`, fetch: api.fetch, storage: null });

    await client.history();
    await client.history({ status: 'failed', limit: 5, cursor: 'abc' });

    expect(api.requests.map((r) => r.headers.get('Authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
    expect(api.requests[1]!.path).toBe('/api/generations?status=failed&limit=5&cursor=abc');
  });

  it('turns a problem+json into an ApiError with its code, status and Retry-After', async () => {
    const api = new FakeApi();
    api.next(() => problem(503, 'database_unavailable', 5));
    const client = new NanoBananaClient({ baseUrl: 'http://api.test', token: () => 't', fetch: api.fetch, storage: null });

    const error = (await client.get('x').catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.retryAfterSeconds, error.transient]).toEqual([503, 'database_unavailable', 5, true]);
    expect(error.message).toBe('database_unavailable detail');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');

    expect(retryAfterSeconds(new Response(null, { headers: { 'Retry-After': '12' } }), now)).toBe(12);
    expect(retryAfterSeconds(new Response(null, { headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:30 GMT' } }), now)).toBe(30);
    expect(retryAfterSeconds(new Response(null), now)).toBeUndefined();
  });

  it('names downloads as the server does, or by id and type', () => {
    expect(downloadName("attachment; filename=a.png; filename*=UTF-8''b%20c.png", 'id', 0, 'image/png')).toBe('b c.png');
    expect(downloadName('attachment; filename="x-0.jpg"', 'id', 0, 'image/jpeg')).toBe('x-0.jpg');
    expect(downloadName(null, 'id', 1, 'image/webp')).toBe('id-1.webp');
  });
});

describe('models', () => {
  it('asks GET /api/models and hands back the offered models with their options', async () => {
    const api = new FakeApi();
    const list = {
      defaultModel: 'gemini-3.1-flash-image',
      models: [
        {
          id: 'gemini-3.1-flash-image', displayName: 'Nano Banana 2', isDefault: true, inCatalog: true,
          aspectRatios: ['1:1', '4:1'], imageSizes: ['512', '1K'], defaultImageSize: '1K', maxReferenceImages: 14,
          inputMimeTypes: ['image/png', 'image/heic'], maxImageBytes: 7340032, thinkingLevels: ['minimal', 'high'], priceUsdPerImage: { '512': 0.045 },
        },
      ],
    };
    api.next(() => new Response(JSON.stringify(list), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const client = new NanoBananaClient({ baseUrl: 'http://api.test', token: () => 't', fetch: api.fetch, storage: null });

    const models = await client.models();

    expect(api.requests[0]!.path).toBe('/api/models');
    expect(models.defaultModel).toBe('gemini-3.1-flash-image');
    expect(models.models[0]!.aspectRatios).toContain('4:1');
  });

  it('keeps the allowed values of a refused field', async () => {
    const api = new FakeApi();
    api.next(() => new Response(JSON.stringify({
      title: 'The request is invalid.', status: 400, code: 'invalid_resolution',
      errors: [{ field: 'resolution', code: 'invalid_resolution', message: 'use one of 1K, 2K, 4K', allowed: ['1K', '2K', '4K'] }],
    }), { status: 400, headers: { 'Content-Type': 'application/problem+json' } }));
    const client = new NanoBananaClient({ baseUrl: 'http://api.test', token: () => 't', fetch: api.fetch, storage: null });

    const error = (await client.models().catch((e: unknown) => e)) as ApiError;

    expect(error.errors[0]!.allowed).toEqual(['1K', '2K', '4K']);
  });
});
