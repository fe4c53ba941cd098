import { ApiError, NetworkError, isAbortError, type FieldError } from './errors.js';

/** Returns the bearer token to send, or nothing; called before every request, so it may refresh. */
export type TokenSource = () => string | null | undefined | Promise<string | null | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Default no-store: polls carry their own If-None-Match, and the HTTP cache must not answer for the server. */
  cache?: RequestCache;
}

/** fetch with the API's base URL, bearer token and JSON; answers every status, and turns "no answer" into NetworkError. */
export class Http {
  constructor(
    private readonly baseUrl: string,
    private readonly token: TokenSource,
    private readonly fetchImpl: typeof fetch,
  ) {}

  url(path: string): string {
    return new URL(path, this.baseUrl).toString();
  }

  async send(request: HttpRequest): Promise<Response> {
    const headers = new Headers(request.headers);
    const token = await this.token();
    if (token) {
      headers.set('Authorization', `Bearer ${token}`);
    }

    let body: string | undefined;
    if (request.body !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(request.body);
    }

    try {
      return await this.fetchImpl(this.url(request.path), {
        method: request.method,
        headers,
        body: body ?? null,
        signal: request.signal ?? null,
        cache: request.cache ?? 'no-store',
      });
    } catch (error) {
      if (isAbortError(error)) {
        throw error;
      }

      throw new NetworkError(`${request.method} ${request.path} got no answer`, { cause: error });
    }
  }

  /** Sends and reads the JSON body of a 2xx; anything else becomes an ApiError. */
  async json<T>(request: HttpRequest): Promise<{ value: T; response: Response }> {
    const response = await this.send(request);
    if (!response.ok) {
      throw await apiError(response);
    }

    return { value: (await response.json()) as T, response };
  }
}

interface ProblemBody {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
  traceId?: unknown;
}

export async function apiError(response: Response): Promise<ApiError> {
  let problem: ProblemBody = {};
  try {
    problem = ((await response.json()) as ProblemBody | null) ?? {};
  } catch {
    // not JSON (a gateway's HTML page): the status says enough
  }

  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return new ApiError(
    response.status,
    text(problem.code) ?? `http_${response.status}`,
    text(problem.detail) ?? text(problem.title) ?? `HTTP ${response.status}`,
    retryAfterSeconds(response),
    Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : [],
    text(problem.traceId),
  );
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function retryAfterSeconds(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get('Retry-After');
  if (!value) {
    return undefined;
  }

  if (/^\d+$/.test(value.trim())) {
    return Number(value);
  }

  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
