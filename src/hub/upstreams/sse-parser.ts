/** One server-sent event: `event` defaults to "message"; `data` is its data lines joined by "\n". */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG rules the edge's answers need): chunks may split a
 * line anywhere; lines end in \n, \r\n or \r; a blank line dispatches the event; `:` lines are comments
 * (the edge's keep-alives); `id:` and `retry:` are ignored (the hub never resumes a stream).
 */
export function createSseParser(onEvent: (event: SseEvent) => void) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let sawCr = false;

  const dispatch = () => {
    if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') });
    event = '';
    data = [];
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };

  return {
    push(chunk: string): void {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (c === 10 && sawCr && i === start && buffer === '') {
          // The \n of a \r\n whose \r ended the previous line (possibly in the previous chunk).
          start = i + 1;
          sawCr = false;
          continue;
        }
        sawCr = false;
        if (c === 10 || c === 13) {
          line(buffer + chunk.slice(start, i));
          buffer = '';
          start = i + 1;
          sawCr = c === 13;
        }
      }
      buffer += chunk.slice(start);
    },
    /** The stream ended: an event without its blank line is dropped, as the standard says. */
    end(): void {
      buffer = '';
      data = [];
    },
  };
}
