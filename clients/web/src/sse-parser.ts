/** One dispatched Server-Sent Event (WHATWG HTML, "Interpreting an event stream"). */
export interface ServerSentEvent {
  /** The `event:` field, `message` when there was none. */
  type: string;
  /** The `data:` lines joined with line feeds. */
  data: string;
  /** The last event ID as of this event (an `id:` earlier in the stream carries over); '' when none was sent. */
  lastEventId: string;
}

export interface EventStreamHandlers {
  onEvent(event: ServerSentEvent): void;
  /** A valid `retry:` field: the reconnection time in milliseconds. */
  onRetry?(milliseconds: number): void;
  onComment?(text: string): void;
}

/**
 * The event-stream parser of the WHATWG spec, fed text as it arrives in chunks cut anywhere: lines end
 * with CRLF, LF or CR (a CR at a chunk's end waits to see whether an LF follows); `:` lines are comments;
 * one space after the colon is dropped; `data` lines are joined with LF; an `id` holding NUL is ignored;
 * `retry` counts only if it is all ASCII digits; an event is dispatched at a blank line, and an event the
 * stream ends in the middle of is never dispatched: so the last event ID moves only past whole events,
 * which is what makes a resume with Last-Event-ID lose and repeat nothing.
 */
export class EventStreamParser {
  private pending = '';
  private skipLineFeed = false;
  private data = '';
  private type = '';
  private idBuffer: string;
  private committedId: string;

  constructor(
    private readonly handlers: EventStreamHandlers,
    lastEventId = '',
  ) {
    this.idBuffer = lastEventId;
    this.committedId = lastEventId;
  }

  /** The ID of the last whole event (what to send as Last-Event-ID on reconnect). */
  get lastEventId(): string {
    return this.committedId;
  }

  push(text: string): void {
    let chunk = text;
    if (this.skipLineFeed && chunk.length > 0) {
      this.skipLineFeed = false;
      if (chunk.startsWith('\n')) {
        chunk = chunk.slice(1);
      }
    }

    this.pending += chunk;
    let start = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const char = this.pending[i];
      if (char !== '\n' && char !== '\r') {
        continue;
      }

      this.line(this.pending.slice(start, i));
      if (char === '\r') {
        if (i + 1 === this.pending.length) {
          this.skipLineFeed = true; // the LF of a CRLF may be in the next chunk
        } else if (this.pending[i + 1] === '\n') {
          i++;
        }
      }

      start = i + 1;
    }

    this.pending = this.pending.slice(start);
  }

  /** The stream ended: a partial line or an event without its blank line is dropped, as the spec says. */
  end(): void {
    this.pending = '';
    this.skipLineFeed = false;
    this.data = '';
    this.type = '';
    this.idBuffer = this.committedId;
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }

    if (line.startsWith(':')) {
      this.handlers.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }

    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\u0000')) {
          this.idBuffer = value;
        }

        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) {
          this.handlers.onRetry?.(Number(value));
        }

        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    this.committedId = this.idBuffer;
    if (this.data === '') {
      this.type = '';
      return;
    }

    const event: ServerSentEvent = { type: this.type || 'message', data: this.data.slice(0, -1), lastEventId: this.committedId };
    this.data = '';
    this.type = '';
    this.handlers.onEvent(event);
  }
}
