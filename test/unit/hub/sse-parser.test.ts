import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '../../../src/hub/upstreams/sse-parser.js';

function parse(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

describe('SSE parser (the lean edge call path)', () => {
  it('dispatches on a blank line; event defaults to message; comments and id/retry are ignored', () => {
    expect(parse([': keep-alive\n\nid: 1\nretry: 10\nevent: message\ndata: {"a":1}\n\ndata:{"b":2}\n\n'])).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '{"b":2}' },
    ]);
  });

  it('gives the same events however the stream is cut into chunks, for \\n, \\r\\n and \\r line ends', () => {
    const text = 'event: message\r\ndata: {"x":"é"}\r\n\r\nevent: other\rdata: one\rdata: two\r\rdata: last\n\n';
    const whole = parse([text]);
    expect(whole).toEqual([
      { event: 'message', data: '{"x":"é"}' },
      { event: 'other', data: 'one\ntwo' },
      { event: 'message', data: 'last' },
    ]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(parse(chunks)).toEqual(whole);
    }
  });

  it('an empty chunk between the \\r and the \\n of a line end changes nothing', () => {
    expect(parse(['data: a\r', '', '\ndata: b\n\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('drops an event whose blank line never came (the stream was cut)', () => {
    expect(parse(['data: {"complete":true}\n\ndata: {"cut":'])).toEqual([{ event: 'message', data: '{"complete":true}' }]);
  });
});
