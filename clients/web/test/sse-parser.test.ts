import { describe, expect, it } from 'vitest';
import { EventStreamParser, type ServerSentEvent } from '../src/index.js';

/** Feeds the chunks in turn; returns what the parser dispatched, the retries and comments it saw, and its last id. */
function parse(...chunks: string[]) {
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const parser = new EventStreamParser({ onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms), onComment: (c) => comments.push(c) });
  chunks.forEach((chunk) => parser.push(chunk));
  return { events, retries, comments, lastEventId: parser.lastEventId, parser };
}

// The cases of WHATWG HTML "Interpreting an event stream" (and its examples), one rule each.
describe('the event-stream parser', () => {
  it('dispatches at a blank line with the event name, the data and the id', () => {
    const { events, lastEventId } = parse('id: 7\nevent: completed\ndata: {"a":1}\n\n');

    expect(events).toEqual([{ type: 'completed', data: '{"a":1}', lastEventId: '7' }]);
    expect(lastEventId).toBe('7');
  });

  it('joins data lines with LF and names an unnamed event "message"', () => {
    expect(parse('data: YHOO\ndata: +2\ndata: 10\n\n').events).toEqual([{ type: 'message', data: 'YHOO\n+2\n10', lastEventId: '' }]);
  });

  it('takes CRLF, LF and CR as line ends, even a CRLF cut between two chunks', () => {
    const { events } = parse('data: a\r\n\r\ndata: b\r\rdata: c\r', '\n\r', '\ndata: d\n\n');

    expect(events.map((e) => e.data)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('drops one space after the colon, not two; a line without a colon is a field with an empty value', () => {
    const { events } = parse('data:x\n\ndata:  y\n\ndata\n\ndata\ndata\n\n');

    expect(events.map((e) => e.data)).toEqual(['x', ' y', '', '\n']);
  });

  it('does not dispatch an event with no data, but its id still becomes the last id', () => {
    const { events, lastEventId } = parse('id: 5\n\n', 'event: queued\n\n');

    expect(events).toEqual([]);
    expect(lastEventId).toBe('5');
  });

  it('keeps the last id for later events that carry none, and an empty id resets it', () => {
    const { events } = parse('id: 3\ndata: a\n\ndata: b\n\nid\ndata: c\n\n');

    expect(events.map((e) => e.lastEventId)).toEqual(['3', '3', '']);
  });

  it('ignores an id that holds NUL', () => {
    expect(parse('id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n').events.map((e) => e.lastEventId)).toEqual(['1', '1']);
  });

  it('takes retry only when it is all ASCII digits', () => {
    expect(parse('retry: 1000\n\nretry: 1.5\nretry: -1\nretry: 2 0\nretry: 3000\n\n').retries).toEqual([1000, 3000]);
  });

  it('reads a colon-first line as a comment (the heartbeat) and dispatches nothing for it', () => {
    const { events, comments } = parse(': heartbeat\n\n:\n', 'data: a\n\n');

    expect(comments).toEqual(['heartbeat', '']);
    expect(events.map((e) => e.data)).toEqual(['a']);
  });

  it('ignores unknown fields and keeps the value after the first colon whole', () => {
    expect(parse('foo: bar\ndata: a: b\n\n').events).toEqual([{ type: 'message', data: 'a: b', lastEventId: '' }]);
  });

  it('waits for a line cut between chunks, and never dispatches an event the stream ends inside', () => {
    const { events, parser } = parse('id: 1\nda', 'ta: who', 'le\n\nid: 2\ndata: half');
    parser.end();
    parser.push('\n\n'); // a new connection's bytes do not finish the old event

    expect(events.map((e) => [e.lastEventId, e.data])).toEqual([['1', 'whole']]);
    expect(parser.lastEventId).toBe('1');
  });

  it('starts a connection from the id it resumes at', () => {
    const parser = new EventStreamParser({ onEvent: () => {} }, '41');
    parser.push('data: x\n\n');

    expect(parser.lastEventId).toBe('41');
  });
});
