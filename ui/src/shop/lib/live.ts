/**
 * Server-sent events over fetch: the live streams of the API (GET /live/...), read with the typed client so that a
 * token travels in a header (EventSource cannot send one, and a token in the URL would reach logs). Reconnects with
 * backoff when the connection drops or the server ends the stream (`bye`: shutdown moves clients to another instance);
 * stops for good on 401/403/404 (no access) and when the caller unsubscribes.
 */
export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'refused';

export interface LiveOptions {
  /** Opens the stream: one typed-client call with parseAs 'stream'. */
  connect: (signal: AbortSignal) => Promise<{ response: Response; data?: ReadableStream<Uint8Array> | null }>;
  /** `data` is the event's JSON as sent: each stream documents the shape of its events. */
  onEvent: (event: string, data: unknown) => void;
  onStatus?: (status: LiveStatus) => void;
}

const FINAL = new Set([401, 403, 404]);

export function listenLive({ connect, onEvent, onStatus }: LiveOptions): () => void {
  let stopped = false;
  // Set by the unsubscribe function while the loop below awaits, so it is read through a call.
  const isStopped = () => stopped;
  let controller: AbortController | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  void (async () => {
    for (let attempt = 0; !isStopped(); attempt++) {
      onStatus?.(attempt ? 'reconnecting' : 'connecting');
      controller = new AbortController();
      try {
        const { response, data } = await connect(controller.signal);
        if (FINAL.has(response.status)) {
          onStatus?.('refused');
          return;
        }
        if (response.ok && data) {
          onStatus?.('open');
          attempt = 0;
          await readEvents(data, onEvent);
        }
      } catch {
        // Dropped or refused connection: try again below.
      }
      if (isStopped()) return;
      // 1 s doubling to 30 s, jittered, so a restarted server is not hit by every client at once.
      await pause(Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2));
    }
  })();

  return () => {
    stopped = true;
    controller?.abort();
    wake?.();
  };
}

async function readEvents(body: ReadableStream<Uint8Array>, onEvent: LiveOptions['onEvent']): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      try {
        onEvent(event, JSON.parse(data.join('\n')) as unknown);
      } catch {
        // A frame this page cannot read is skipped, not fatal.
      }
    }
  }
}
