/** One invalid field of a 400 `validation_failed`-style problem. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
  /** What the field may be, when that is a short list (the chosen model's ratios, sizes or types; the offered models). */
  allowed?: string[];
}

/** What the API answered with an RFC 9457 problem (or any non-2xx): switch on `code`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status. */
    readonly status: number,
    /** The problem's stable code (e.g. `generation_not_found`, `rate_limited`), or `http_<status>` when the body had none. */
    readonly code: string,
    message: string,
    /** Seconds the server asked to wait (Retry-After), when it said. */
    readonly retryAfterSeconds: number | undefined,
    readonly errors: readonly FieldError[] = [],
    readonly traceId?: string,
  ) {
    super(message);
  }

  /** Asking again later may succeed (timeouts, limits, outages). */
  get transient(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** The request never got an answer: offline, DNS, a dropped connection, a CORS refusal. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isAbortError(error: unknown): boolean {
  // By name, not class: a DOMException from any realm, or abortReason()'s Error where there is none.
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * An abort reason: a DOMException where there is one, an Error of the same name elsewhere (React
 * Native's Hermes has no DOMException, and naming it there throws).
 */
export function abortReason(message: string, name: 'AbortError' | 'TimeoutError' = 'AbortError'): Error {
  if (typeof DOMException === 'function') {
    return new DOMException(message, name);
  }

  return Object.assign(new Error(message), { name });
}
