import type { Response } from 'express';

/** Why the server ends a stream; sent as a last `bye` event so the client knows to reconnect (or not). */
export type ByeReason = 'shutdown' | 'token-expired' | 'slow-consumer';

/** A client that has not read this much of what it was sent is not keeping up: it is cut off, and resyncs on reconnect. */
const MAX_BUFFERED_BYTES = 256 * 1024;

/**
 * One server-sent-event stream (text/event-stream): `event:` + `data:` frames, comment lines as heartbeats, and a
 * `bye` event before the server closes it. Writes after the client left are ignored.
 */
export class SseStream {
  private ended = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(private readonly res: Response) {
    res.once('close', () => this.finish());
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Runs `handler` once when the stream ends, whoever ends it (client gone, server closing it). */
  onClose(handler: () => void): void {
    if (this.ended) handler();
    else this.closeHandlers.push(handler);
  }

  /** Sends one event; `data` is serialised as JSON on one line. */
  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line: keeps proxies and the client from timing the connection out, and finds dead peers. */
  heartbeat(): void {
    this.write(': ping\n\n');
  }

  /** Ends the stream, telling the client why first. */
  close(reason?: ByeReason): void {
    if (this.ended) return;
    this.finish();
    if (reason) this.res.write(`event: bye\ndata: ${JSON.stringify({ reason })}\n\n`);
    this.res.end();
  }

  /** Raw frames (several events batched into one write). */
  write(frame: string): void {
    if (this.ended) return;
    this.res.write(frame);
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.close('slow-consumer');
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
