import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOutboundTargetConfig, nonPublicRange, OutboundTargets, TargetRefusedError, type Resolve } from './outbound-targets.js';

describe('outbound target policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.254', 'shared (CGNAT)'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['192.0.2.10', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['64:ff9b::10.0.0.1', 'IPv4-mapped private'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['2002:7f00:1::1', '6to4'],
    ['2001::1', 'IETF protocol'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(nonPublicRange(address)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows the public address %s', (address) => {
    expect(nonPublicRange(address)).toBeUndefined();
  });

  const resolver =
    (table: Record<string, string[]>): Resolve =>
    async (hostname) => {
      const addresses = table[hostname];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

  it('checks saved URLs by address, in every spelling, and by what their name resolves to', async () => {
    const targets = new OutboundTargets(
      false,
      resolver({
        'hooks.example.com': ['93.184.216.34'],
        'internal.example.com': ['93.184.216.34', '10.0.0.7'],
        localhost: ['127.0.0.1', '::1'],
      }),
    );
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://127.1/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      expect(await targets.problemWith(url)).toMatch(/^url must not point to a .+ address$/);
    }
    expect(await targets.problemWith('http://localhost:3000/')).toBe('url must not resolve to a loopback address');
    expect(await targets.problemWith('https://internal.example.com/hook')).toBe('url must not resolve to a private address');
    expect(await targets.problemWith('https://hooks.example.com/hook')).toBeUndefined();
    expect(await targets.problemWith('https://93.184.216.34/hook')).toBeUndefined();
    // A name that does not resolve yet is accepted; it is checked again at every delivery.
    expect(await targets.problemWith('https://not-yet.example.com/hook')).toBeUndefined();
    expect(await new OutboundTargets(true, resolver({})).problemWith('http://127.0.0.1/')).toBeUndefined();
  });

  describe('delivery', () => {
    let server: Server;
    let port: number;
    const received: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        received.push(req.url ?? '');
        if (req.url === '/redirect') res.writeHead(302, { Location: '/elsewhere' }).end('moved');
        else res.writeHead(200).end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      received.length = 0;
    });

    // "rebind.test" resolves only through the policy's resolver: reaching the server proves the connection went to the
    // address the policy looked up and checked, not to a second answer from the system resolver.
    const rebinding = resolver({ 'rebind.test': ['127.0.0.1'] });

    it('connects to the address it checked, and only if the policy allows it', async () => {
      await expect(new OutboundTargets(true, rebinding).post(`http://rebind.test:${port}/hook`, {}, '{}', 2_000)).resolves.toBe(200);
      expect(received).toEqual(['/hook']);
      await expect(new OutboundTargets(false, rebinding).post(`http://rebind.test:${port}/hook`, {}, '{}', 2_000)).rejects.toThrow(
        TargetRefusedError,
      );
      await expect(new OutboundTargets(false, rebinding).post(`http://127.0.0.1:${port}/hook`, {}, '{}', 2_000)).rejects.toThrow(
        TargetRefusedError,
      );
      await expect(new OutboundTargets(false, rebinding).post(`http://[::ffff:127.0.0.1]:${port}/hook`, {}, '{}', 2_000)).rejects.toThrow(
        'address not allowed (IPv4-mapped loopback)',
      );
      expect(received).toEqual(['/hook']);
    });

    it('opens TCP connections (SMTP) under the same policy', async () => {
      const socket = await new OutboundTargets(true, rebinding).connect('rebind.test', port, 2_000);
      expect(socket.remoteAddress).toBe('127.0.0.1');
      socket.destroy();
      await expect(new OutboundTargets(false, rebinding).connect('rebind.test', port, 2_000)).rejects.toThrow(TargetRefusedError);
      await expect(new OutboundTargets(false, rebinding).connect('127.0.0.1', port, 2_000)).rejects.toThrow(
        'address not allowed (loopback)',
      );
      await expect(new OutboundTargets(false, rebinding).connect('[::1]', port, 2_000)).rejects.toThrow('address not allowed (loopback)');
    });

    it('does not follow redirects', async () => {
      await expect(new OutboundTargets(true, rebinding).post(`http://rebind.test:${port}/redirect`, {}, '{}', 2_000)).resolves.toBe(302);
      expect(received).toEqual(['/redirect']);
    });
  });

  it('is refused in production', () => {
    expect(checkOutboundTargetConfig({ NODE_ENV: 'production', ALLOW_PRIVATE_TARGETS: true })).toEqual([
      'ALLOW_PRIVATE_TARGETS: not allowed in production',
    ]);
    expect(checkOutboundTargetConfig({ NODE_ENV: 'production', ALLOW_PRIVATE_TARGETS: false })).toEqual([]);
    expect(checkOutboundTargetConfig({ NODE_ENV: 'test', ALLOW_PRIVATE_TARGETS: true })).toEqual([]);
  });
});
