import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body exactly as received (signatures are computed over these bytes). */
  body: string;
  receivedAt: number;
}

export interface HttpReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RecordingHttpServer {
  url: string;
  requests: RecordedRequest[];
  /** Decides the answer per request (default 200 {}). */
  respond: (request: RecordedRequest) => HttpReply;
  close(): Promise<void>;
}

/** A local HTTP server that records every request (provider APIs and webhook receivers in tests). */
export async function startRecordingHttpServer(): Promise<RecordingHttpServer> {
  const recorder: RecordingHttpServer = { url: '', requests: [], respond: () => ({ status: 200, body: {} }), close: async () => undefined };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      recorder.requests.push(request);
      const reply = recorder.respond(request);
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  recorder.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return recorder;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA section (headers and body), dot-unstuffed. */
  data: string;
}

export interface RecordingSmtpServer {
  port: number;
  messages: ReceivedMail[];
  /** Connections accepted so far. */
  connections: number;
  /** SMTP reply code for RCPT TO (default 250); 4xx/5xx make the server refuse recipients. */
  rcptReply: number;
  close(): Promise<void>;
}

/** A minimal SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, no TLS/auth) that records mail. */
export async function startRecordingSmtpServer(): Promise<RecordingSmtpServer> {
  const sockets = new Set<Socket>();
  const recorder: RecordingSmtpServer = { port: 0, messages: [], connections: 0, rcptReply: 250, close: async () => undefined };
  const server = createTcpServer((socket) => {
    recorder.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    let envelope: { from: string; to: string[] } = { from: '', to: [] };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 recording-smtp ready');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const data = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          recorder.messages.push({ ...envelope, data });
          envelope = { from: '', to: [] };
          reply('250 OK queued');
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-recording-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
        else if (verb === 'HELO') reply('250 recording-smtp');
        else if (verb === 'MAIL') {
          envelope.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          reply('250 OK');
        } else if (verb === 'RCPT') {
          if (recorder.rcptReply !== 250) reply(`${recorder.rcptReply} recipient refused`);
          else {
            envelope.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            reply('250 OK');
          }
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          envelope = { from: '', to: [] };
          reply('250 OK');
        } else if (verb === 'NOOP') reply('250 OK');
        else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
        } else reply('502 Command not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.port = (server.address() as AddressInfo).port;
  recorder.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return recorder;
}
