import http from 'node:http';

export interface SseEvent {
  event: string;
  data: any;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Comment lines (heartbeats) received so far. */
  comments: number;
  /** Resolves with the first event (received before or after the call) at index ≥ `from` that matches. */
  next(match: (e: SseEvent) => boolean, options?: { timeoutMs?: number; from?: number }): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * A minimal server-sent-events client over node:http for tests: parses `event:`/`data:` frames (data as JSON) and
 * counts comment lines. A non-200 answer resolves too, with its status and the body as one `error` event.
 */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters: { match: (e: SseEvent) => boolean; from: number; resolve: (e: SseEvent) => void }[] = [];
      let buffer = '';
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments: 0,
        next(match, { timeoutMs = 10_000, from = 0 } = {}) {
          const found = events.slice(from).find(match);
          if (found) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`)),
              timeoutMs,
            );
            waiters.push({
              match,
              from,
              resolve: (e) => {
                clearTimeout(timer);
                ok(e);
              },
            });
          });
        },
        ended,
        close: () => req.destroy(),
      };
      const push = (event: SseEvent) => {
        events.push(event);
        const index = events.length - 1;
        for (const waiter of [...waiters]) {
          if (index >= waiter.from && waiter.match(event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (client.status !== 200) return;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          let comment = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comment = true;
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) push({ event, data: JSON.parse(data.join('\n')) });
          else if (comment) client.comments++;
        }
      });
      res.on('end', () => {
        if (client.status !== 200) push({ event: 'error', data: buffer ? JSON.parse(buffer) : null });
        endResolve();
      });
      res.on('close', () => endResolve());
      resolve(client);
    });
    req.on('error', reject);
  });
}
