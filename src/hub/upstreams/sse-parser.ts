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

  // Lines are found with indexOf rather than a loop over every character: a cold hub runs that loop
  // interpreted, and an answer is mostly one long data line.
  return {
    push(chunk: string): void {
      if (chunk === '') return;
      let start = 0;
      // The \n of a \r\n whose \r ended the previous chunk's last line.
      if (sawCr && chunk.charCodeAt(0) === 10) start = 1;
      sawCr = false;
      let lf = chunk.indexOf('\n', start);
      let cr = chunk.indexOf('\r', start);
      while (lf >= 0 || cr >= 0) {
        const end = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr;
        line(buffer + chunk.slice(start, end));
        buffer = '';
        start = end + 1;
        if (end === cr) {
          if (start === chunk.length) sawCr = true;
          else if (chunk.charCodeAt(start) === 10) start += 1;
          cr = chunk.indexOf('\r', start);
        }
        if (lf >= 0 && lf < start) lf = chunk.indexOf('\n', start);
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
