import { promises as dns, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { isIP, type LookupFunction } from 'node:net';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { toBool } from '../../config/configuration.js';
import { extendEnvironment } from '../../config/environment-extensions.js';

/**
 * Where connections an admin configures may go: brand webhook endpoints, a brand's own SMTP server. An admin-supplied
 * address is a connection the server makes on the admin's behalf: pointed at loopback, the private network or a cloud
 * metadata address (169.254.169.254) it would reach what the internet cannot (SSRF). So only public addresses are
 * connected to, checked when an endpoint is saved and again for every connection on the very address it uses (no
 * second DNS answer between check and connect: rebinding gets nowhere); webhook redirects are not followed and their
 * answers never read. ALLOW_PRIVATE_TARGETS lifts the address rule for development and tests; production refuses to
 * start with it. What the operator configures in the environment (SMTP_URL, provider base URLs) is not checked.
 */

interface Range {
  bytes: number[];
  prefix: number;
  name: string;
}

const range = (cidr: string, name: string): Range => {
  const [address, prefix] = cidr.split('/');
  const bytes = bytesOf(address);
  if (!bytes) throw new Error(`not an address range: ${cidr}`);
  return { bytes, prefix: Number(prefix), name };
};

/** Special-purpose IPv4 blocks that are not globally reachable (RFC 6890 and its updates). */
const IPV4_RANGES: Range[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'shared (CGNAT)'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'IETF protocol'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', '6to4 relay'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
];

/** The same for IPv6; IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are judged by their IPv4. */
const IPV6_RANGES: Range[] = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('::/96', 'IPv4-compatible'),
  range('::ffff:0:0:0/96', 'IPv4-translated'),
  range('64:ff9b:1::/48', 'local NAT64'),
  range('100::/64', 'discard'),
  range('2001::/23', 'IETF protocol'),
  range('2001:db8::/32', 'documentation'),
  range('2002::/16', '6to4'),
  range('fc00::/7', 'unique local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
];

/** The bytes of an IPv4 or IPv6 address (zone id ignored), or undefined if it is not one. */
function bytesOf(address: string): number[] | undefined {
  const family = isIP(address);
  if (family === 4) return address.split('.').map(Number);
  if (family !== 6) return undefined;
  let text = address.toLowerCase().split('%')[0];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const all = text.includes('::')
    ? [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)]
    : groups(head);
  return all.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

const matches = (bytes: number[], r: Range) =>
  bytes.length === r.bytes.length &&
  r.bytes.every((byte, i) => {
    const bits = Math.min(8, Math.max(0, r.prefix - i * 8));
    const mask = (0xff << (8 - bits)) & 0xff;
    return (byte & mask) === (bytes[i] & mask);
  });

const isZero = (bytes: number[]) => bytes.every((b) => b === 0);

/** Why an address is not a public internet address ('loopback', 'private', ...), or undefined if it is one. */
export function nonPublicRange(address: string): string | undefined {
  const bytes = bytesOf(address);
  if (!bytes) return 'invalid';
  if (bytes.length === 4) return IPV4_RANGES.find((r) => matches(bytes, r))?.name;
  const mapped = isZero(bytes.slice(0, 10)) && bytes[10] === 0xff && bytes[11] === 0xff;
  const nat64 = bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && isZero(bytes.slice(4, 12));
  if (mapped || nat64) {
    const name = IPV4_RANGES.find((r) => matches(bytes.slice(12), r))?.name;
    return name && `IPv4-mapped ${name}`;
  }
  return IPV6_RANGES.find((r) => matches(bytes, r))?.name;
}

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A connection (or endpoint) whose address the policy refuses; retrying cannot help. */
export class TargetRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`address not allowed (${reason})`);
    this.name = 'TargetRefusedError';
  }
}

/** How long saving an endpoint waits for DNS; a name that does not resolve is checked again at delivery. */
const SAVE_LOOKUP_TIMEOUT_MS = 3_000;

/** A host without the brackets of an IPv6 literal ([::1] → ::1). */
const unbracketed = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

export class OutboundTargets {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: Resolve = systemResolve,
  ) {}

  /** Why an endpoint URL may not be saved, in the words of a field error; undefined if it may. */
  async problemWith(url: string): Promise<string | undefined> {
    if (this.allowPrivate) return undefined;
    const host = unbracketed(new URL(url).hostname);
    if (isIP(host)) {
      const reason = nonPublicRange(host);
      return reason && `url must not point to a ${reason} address`;
    }
    let addresses: LookupAddress[];
    try {
      addresses = await Promise.race([
        this.resolve(host),
        new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('DNS timeout')), SAVE_LOOKUP_TIMEOUT_MS).unref()),
      ]);
    } catch {
      return undefined;
    }
    const reason = addresses.map((a) => nonPublicRange(a.address)).find(Boolean);
    return reason && `url must not resolve to a ${reason} address`;
  }

  /**
   * POSTs `body` to `url` and resolves with the HTTP status (the answer's body is not read). The connection goes only
   * to addresses this policy allows; redirects are answers like any other. Rejects with TargetRefusedError,
   * or the socket's error (its `code`), or an AbortError at the timeout.
   */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    const target = new URL(url);
    const refused = this.literalRefusal(target.hostname);
    if (refused) return Promise.reject(refused);
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          lookup: this.checkedLookup(),
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response) => {
          resolve(response.statusCode ?? 0);
          response.destroy();
        },
      );
      request.once('error', reject);
      request.end(body);
    });
  }

  /**
   * A TCP connection to host:port (for protocols other than HTTP, such as SMTP), only to addresses this policy allows.
   * Rejects with TargetRefusedError, the socket's error, or a timeout error after `timeoutMs`.
   */
  connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
    const refused = this.literalRefusal(host);
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: unbracketed(host), port, lookup: this.checkedLookup(), timeout: timeoutMs });
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('timeout', () => fail(Object.assign(new Error(`connection to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })));
      socket.once('connect', () => {
        socket.removeListener('error', fail);
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        resolve(socket);
      });
    });
  }

  /** The refusal of a host written as an address (a name is checked in the connection's own lookup). */
  private literalRefusal(host: string): TargetRefusedError | undefined {
    const address = unbracketed(host);
    const reason = isIP(address) ? this.refusal(address) : undefined;
    return reason ? new TargetRefusedError(reason) : undefined;
  }

  private refusal(address: string): string | undefined {
    return this.allowPrivate ? undefined : nonPublicRange(address);
  }

  /** The connection's own name lookup: every address DNS gives must be allowed, and the socket connects to those. */
  private checkedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (found) => {
          const addresses = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
          const refused = addresses.map((a) => this.refusal(a.address)).find(Boolean);
          if (refused) callback(new TargetRefusedError(refused), '', 0);
          else if (!addresses.length) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
          else if (options.all) callback(null, addresses);
          else callback(null, addresses[0].address, addresses[0].family);
        },
        (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
      );
    };
  }
}

export class OutboundTargetEnvironment {
  /** Lets admin-configured targets (webhook endpoints, a brand's SMTP server) be private addresses: development and tests only. */
  @Transform(toBool) @IsBoolean() ALLOW_PRIVATE_TARGETS = false;
}

/** Start-up check: private targets are a development and test convenience only. */
export function checkOutboundTargetConfig(env: { NODE_ENV: string; ALLOW_PRIVATE_TARGETS: boolean }): string[] {
  return env.NODE_ENV === 'production' && env.ALLOW_PRIVATE_TARGETS ? ['ALLOW_PRIVATE_TARGETS: not allowed in production'] : [];
}

extendEnvironment('outbound-targets', {
  variables: OutboundTargetEnvironment,
  check: (config) => checkOutboundTargetConfig(config as unknown as OutboundTargetEnvironment & { NODE_ENV: string }),
});
