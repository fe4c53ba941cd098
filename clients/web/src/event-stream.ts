import { backoffSeconds, sleep } from './backoff.js';
import { ApiError, NetworkError, abortReason } from './errors.js';
import { apiError, type Http } from './http.js';
import { EventStreamParser, type ServerSentEvent } from './sse-parser.js';

/** Why a stream is not worth retrying here: the server has no such stream, or something between answers for it. */
export class StreamUnsupported extends Error {
  override readonly name = 'StreamUnsupported';
}

export interface EventStreamSettings {
  /** A connection that sends no byte by then (a proxy that buffers the stream, a half-dead radio) is given up. The server writes `retry:` at once. */
  firstByteMs: number;
  /** A connection quiet this long is dead (the server sends a heartbeat comment every 15 s). */
  idleMs: number;
  maxBackoffSeconds: number;
  random: () => number;
}

export interface EventStreamListener {
  onEvent(event: ServerSentEvent): void;
  /** A connection is open and sending (its first bytes arrived). */
  onOpen?(): void;
  /**
   * A connection failed before sending anything, or was refused; `failures` counts them in a row. Return
   * false to stop (the caller falls back to polling); `fatal` failures stop anyway.
   */
  onFailure?(error: Error, failures: number, fatal: boolean): boolean | void;
}

export interface EventStreamRequest {
  http: Http;
  path: string;
  /** Resume after this id (sent as Last-Event-ID); none starts where the server starts. */
  lastEventId?: string;
  settings: EventStreamSettings;
}

/**
 * A Server-Sent Events reader over fetch (EventSource cannot send the Authorization header): reads the
 * stream as it arrives, parses it (sse-parser.ts), and when the stream ends (the server ends streams
 * before Azure's 230 s limit) or drops, reconnects after the server's `retry:` with Last-Event-ID set to
 * the last whole event it saw, so every event arrives once. Failures back off (1, 2, 4... s); 4xx other
 * than 401/408/429, or an answer that is not an event stream, stop it.
 */
export class EventStream {
  private readonly closing = new AbortController();
  private reconnectMs = 1000;
  private failures = 0;
  private lastId: string;
  private running: Promise<void> | undefined;

  constructor(
    private readonly request: EventStreamRequest,
    private readonly listener: EventStreamListener,
  ) {
    this.lastId = request.lastEventId ?? '';
  }

  get lastEventId(): string {
    return this.lastId;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Starts reading; resolves when the stream stops for good (closed, fatal, or given up). */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  close(): void {
    this.closing.abort(abortReason('The stream was closed.'));
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let sent = false;
      try {
        sent = await this.connect();
        if (!sent) {
          throw new NetworkError(`${this.request.path} ended without sending anything`);
        }
      } catch (error) {
        if (this.closed) {
          return;
        }

        const failure = error instanceof Error ? error : new Error(String(error));
        const fatal = failure instanceof StreamUnsupported || (failure instanceof ApiError && !failure.transient && failure.status !== 401);
        this.failures++;
        if (this.listener.onFailure?.(failure, this.failures, fatal) === false || fatal) {
          this.close();
          return;
        }

        const retryAfter = failure instanceof ApiError ? failure.retryAfterSeconds : undefined;
        await this.pause((retryAfter ?? backoffSeconds(this.failures, this.request.settings.maxBackoffSeconds, this.request.settings.random)) * 1000);
        continue;
      }

      // Ended by the server (or cut after it had sent): back after its retry time, from the last whole event.
      await this.pause(this.reconnectMs);
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, { signal: this.closing.signal });
    } catch {
      // closed while waiting
    }
  }

  /** One connection; true when it sent at least one byte (it then counts as a success, however it ended). */
  private async connect(): Promise<boolean> {
    const { http, path, settings } = this.request;
    const connection = new AbortController();
    const stop = () => connection.abort(this.closing.signal.reason);
    this.closing.signal.addEventListener('abort', stop);
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number, why: string) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => connection.abort(abortReason(why, 'TimeoutError')), ms);
    };

    let sent = false;
    try {
      arm(settings.firstByteMs, 'The stream sent nothing in time.');
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (this.lastId !== '') {
        headers['Last-Event-ID'] = this.lastId;
      }

      const response = await http.send({ method: 'GET', path, headers, signal: connection.signal });
      if (!response.ok) {
        throw await apiError(response);
      }

      if (!(response.headers.get('Content-Type') ?? '').startsWith('text/event-stream') || !response.body) {
        throw new StreamUnsupported(`${path} did not answer with an event stream`);
      }

      const parser = new EventStreamParser(
        {
          onEvent: (event) => {
            this.lastId = event.lastEventId;
            this.listener.onEvent(event);
          },
          onRetry: (ms) => (this.reconnectMs = ms),
        },
        this.lastId,
      );
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            break;
          }

          if (!sent) {
            sent = true;
            this.failures = 0;
            this.listener.onOpen?.();
          }

          arm(settings.idleMs, 'The stream went quiet.');
          parser.push(decoder.decode(value, { stream: true }));
          // An id line is only committed at its event's blank line: keep the parser's view.
          this.lastId = parser.lastEventId;
        }
      } finally {
        parser.end();
        reader.releaseLock();
      }

      return sent;
    } catch (error) {
      if (sent && !this.closed) {
        return true; // cut mid-stream: reconnect from the last whole event
      }

      if (this.closed || error instanceof ApiError || error instanceof NetworkError || error instanceof StreamUnsupported) {
        throw error;
      }

      // Timed out by the watchdog, or the body broke before its first byte: the network's doing.
      throw new NetworkError(`${path}: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(watchdog);
      this.closing.signal.removeEventListener('abort', stop);
    }
  }
}
