import { describe, expect, it, vi } from 'vitest';
import { EventStream, type EventStreamSettings } from '../src/event-stream.js';
import { Http } from '../src/http.js';
import { FakeApi, freshFakes, problem } from './fakes.js';

const settings: EventStreamSettings = { firstByteMs: 10_000, idleMs: 45_000, maxBackoffSeconds: 60, random: () => 0.5 };

/** A seeded generator (mulberry32): every run of the property test cuts at the same points. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function follow(api: FakeApi, lastEventId?: string) {
  const ids: string[] = [];
  const failures: string[] = [];
  const stream = new EventStream(
    { http: new Http('http://api.test', () => 'token-1', api.fetch), path: '/api/events', ...(lastEventId ? { lastEventId } : {}), settings },
    { onEvent: (event) => ids.push(event.lastEventId), onFailure: (error, count, fatal) => void failures.push(`${error.name}:${count}:${fatal}`) },
  );
  const stopped = stream.start();
  return { ids, failures, stream, stopped };
}

describe('the event stream reader', () => {
  let api: FakeApi;
  freshFakes((fakes) => {
    api = fakes.api;
    api.streams = true;
  });

  function someEvents(count: number): string[] {
    const id = api.add('a banana 🍌');
    for (let i = 1; i < count; i++) {
      api.record(id, 'draft', { note: `thinking… ${i} 🍌` }); // multi-byte text, so cuts fall inside characters too
    }

    return api.events.map((e) => e.cursor);
  }

  it('sends the bearer token, asks for an event stream, and resumes after the id it starts from', async () => {
    const all = someEvents(5);

    const { ids, stream } = follow(api, '2');
    await vi.advanceTimersByTimeAsync(0);
    stream.close();

    const request = api.streamRequests()[0]!;
    expect(request.headers.get('Authorization')).toBe('Bearer token-1');
    expect(request.headers.get('Accept')).toBe('text/event-stream');
    expect(request.headers.get('Last-Event-ID')).toBe('2');
    expect(ids).toEqual(all.slice(2));
  });

  it('reconnects after the server ends the stream, with the last id, after the server’s retry time', async () => {
    someEvents(3);
    const { ids, stream } = follow(api);
    await vi.advanceTimersByTimeAsync(0);

    api.endStreams();
    await vi.advanceTimersByTimeAsync(999);
    const before = api.streamRequests().length;
    await vi.advanceTimersByTimeAsync(1);
    api.record(api.events[0]!.generationId, 'started');
    await vi.advanceTimersByTimeAsync(0);
    stream.close();

    expect(before).toBe(1);
    expect(api.streamRequests().map((r) => r.headers.get('Last-Event-ID'))).toEqual([null, '3']);
    expect(ids).toEqual(['1', '2', '3', '4']);
  });

  it('property: cut at random points (inside lines, characters and events), resumed with its last id, it delivers every event exactly once, in order', async () => {
    for (let run = 0; run < 150; run++) {
      api = new FakeApi();
      api.streams = true;
      const random = seeded(run + 1);
      api.chunking = () => 1 + Math.floor(random() * 40);
      someEvents(12);
      // Up to five connections in a row cut after a random number of bytes (0: before the first byte).
      for (let cut = 0; cut < 1 + Math.floor(random() * 5); cut++) {
        api.streamScripts.push({ cutAfterBytes: Math.floor(random() * 900) });
      }

      const { ids, stream } = follow(api);
      for (let step = 0; step < 12; step++) {
        await vi.advanceTimersByTimeAsync(Math.floor(random() * 2_500));
        if (step % 3 === 0) {
          api.record(api.events[0]!.generationId, 'draft', { note: `live ${step} ✓` }); // more events while it reconnects
        }
      }

      await vi.advanceTimersByTimeAsync(120_000); // time for every back-off and reconnect
      stream.close();
      const all = api.events.map((e) => e.cursor);
      expect(ids, `run ${run}: cuts ${api.requests.length - 1}`).toEqual(all);
    }
  });

  it('backs off 1, 2, 4 s while connections fail before their first byte', async () => {
    someEvents(1);
    api.streamScripts.push({ cutAfterBytes: 0 }, { cutAfterBytes: 0 }, { cutAfterBytes: 0 });
    const { failures, stream } = follow(api);
    const at: number[] = [];
    const start = Date.now();
    for (let second = 0; second <= 10; second++) {
      const before = api.streamRequests().length;
      await vi.advanceTimersByTimeAsync(second === 0 ? 0 : 1_000);
      if (api.streamRequests().length > before) {
        at.push((Date.now() - start) / 1000);
      }
    }

    stream.close();
    expect(at).toEqual([0, 1, 3, 7]);
    expect(failures).toEqual(['NetworkError:1:false', 'NetworkError:2:false', 'NetworkError:3:false']);
  });

  it('gives up a connection that sends nothing in 10 s (a proxy that buffers the stream)', async () => {
    api.streamScripts.push({ silent: true });
    const { failures, stream } = follow(api);

    await vi.advanceTimersByTimeAsync(9_999);
    const quiet = failures.length;
    await vi.advanceTimersByTimeAsync(1);
    stream.close();

    expect(quiet).toBe(0);
    expect(failures).toEqual(['NetworkError:1:false']);
  });

  it('stops at a 404 or an answer that is not an event stream: nothing to retry', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>()
      .mockResolvedValueOnce(problem(404, 'not_found'))
      .mockResolvedValueOnce(new Response('<html>', { headers: { 'Content-Type': 'text/html' } }));
    for (const expected of ['ApiError:1:true', 'StreamUnsupported:1:true']) {
      const failures: string[] = [];
      const stream = new EventStream(
        { http: new Http('http://api.test', () => 't', fetch), path: '/api/events', settings },
        { onEvent: () => {}, onFailure: (error, count, fatal) => void failures.push(`${error.name}:${count}:${fatal}`) },
      );
      await stream.start();

      expect(failures).toEqual([expected]);
      expect(stream.closed).toBe(true);
    }
  });
});
