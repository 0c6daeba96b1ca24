import { ValidationPipe } from '@nestjs/common';
import { createValidationPipe } from '../../common/http/validation.js';
import { CartLineDto } from '../../cart/dto/cart.dto.js';
import { CheckoutDto, ContactDto, readValidCheckout, ShippingAddressDto } from './checkout.dto.js';

const VARIANT = '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c';
const body = () => ({
  items: [{ variantId: VARIANT, quantity: 2 }],
  contact: { name: 'Asha Rao', email: 'asha@example.com', phone: '+919812345678' },
  shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001', country: 'IN' },
  paymentMethod: 'cod',
});

const pipe = createValidationPipe();
const metadata = { type: 'body' as const, metatype: CheckoutDto };
/** What class-transformer and class-validator make of a body (the pipe without its fast path). */
const decorated = (value: unknown) => ValidationPipe.prototype.transform.call(pipe, structuredClone(value), metadata) as Promise<unknown>;

describe('readValidCheckout (the checkout body without class-transformer and class-validator)', () => {
  const valid: [string, unknown][] = [
    ['the common body', body()],
    [
      'untrimmed, mixed-case input, every optional field',
      {
        accessCode: '  EARLY-1 ',
        paymentMethod: ' COD ',
        shippingAddress: { country: 'in', postalCode: ' 560 001', line2: '  Flat 4B ', city: ' Pune ', line1: ' 1 Road ', state: 'MH' },
        contact: { phone: '+91 (981) 234-5678', email: '  Asha@Example.COM ', name: '  Asha  ' },
        items: [
          { quantity: 1, variantId: VARIANT.toUpperCase() },
          { variantId: ` ${VARIANT} `, quantity: 100 },
        ],
      },
    ],
    [
      'blank optional fields',
      {
        ...body(),
        contact: { name: 'A', email: '   ', phone: '98123 45678' },
        shippingAddress: { ...body().shippingAddress, line2: ' ', state: '' },
      },
    ],
    ['an empty access code', { ...body(), accessCode: '   ' }],
    ['no email', { ...body(), contact: { name: 'A', phone: '9812345678' } }],
  ];

  it.each(valid)('reads %s exactly as the decorators do', async (_name, input) => {
    const fast = readValidCheckout(structuredClone(input));
    expect(fast).toBeInstanceOf(CheckoutDto);
    expect(fast?.contact).toBeInstanceOf(ContactDto);
    expect(fast?.shippingAddress).toBeInstanceOf(ShippingAddressDto);
    for (const line of fast?.items ?? []) expect(line).toBeInstanceOf(CartLineDto);
    expect(fast).toStrictEqual(await decorated(input));
    expect(JSON.stringify(fast)).toBe(JSON.stringify(await decorated(input)));
  });

  const leftToThePipe: [string, unknown][] = [
    ['an unknown field', { ...body(), coupon: 'X' }],
    ['an unknown contact field', { ...body(), contact: { ...body().contact, age: 3 } }],
    ['no items', { ...body(), items: [] }],
    ['a fractional quantity', { ...body(), items: [{ variantId: VARIANT, quantity: 1.5 }] }],
    ['a quantity over the limit', { ...body(), items: [{ variantId: VARIANT, quantity: 101 }] }],
    ['a variant id that is no UUID', { ...body(), items: [{ variantId: 'x', quantity: 1 }] }],
    ['a blank name', { ...body(), contact: { ...body().contact, name: '  ' } }],
    ['a bad email', { ...body(), contact: { ...body().contact, email: 'asha@' } }],
    ['a bad phone', { ...body(), contact: { ...body().contact, phone: '12' } }],
    ['a bad country', { ...body(), shippingAddress: { ...body().shippingAddress, country: 'XX' } }],
    ['a bad postal code', { ...body(), shippingAddress: { ...body().shippingAddress, postalCode: '!' } }],
    ['no shipping address', { ...body(), shippingAddress: undefined }],
    ['a bad payment method', { ...body(), paymentMethod: 'cash on delivery' }],
    ['a long access code', { ...body(), accessCode: 'x'.repeat(65) }],
    ['a body that is no object', 'items'],
  ];

  it.each(leftToThePipe)('leaves %s to the decorators, which refuse it', async (_name, input) => {
    expect(readValidCheckout(structuredClone(input))).toBeUndefined();
    await expect(decorated(input)).rejects.toThrow();
  });

  it.each([
    ['a null email', { ...body(), contact: { ...body().contact, email: null } }],
    ['an array for the contact', { ...body(), contact: [body().contact] }],
  ])('leaves the unusual %s to the decorators', (_name, input) => {
    expect(readValidCheckout(structuredClone(input))).toBeUndefined();
  });

  // The reader repeats the decorators' rules; this is what keeps the two from drifting apart. Each of many bodies has
  // one to three fields replaced by awkward values (seeded, so a failure can be replayed): whatever the reader accepts,
  // the decorators must accept too, with the very same result.
  it('never accepts a body the decorators refuse, nor reads one differently (3,000 mutated bodies)', async () => {
    const AWKWARD: unknown[] = [
      '',
      ' ',
      '  x  ',
      'x'.repeat(65),
      'x'.repeat(121),
      'x'.repeat(201),
      'x'.repeat(255),
      'ü',
      '\u0000',
      'a@b',
      'a@b.c',
      'A@B.CO',
      '+91',
      '9812345678',
      '+919812345678 ',
      '+1 (555) 010-9999',
      '12',
      VARIANT,
      VARIANT.toUpperCase(),
      ` ${VARIANT}`,
      'in',
      'IN',
      'XX',
      'us',
      '560 001',
      '!',
      'COD',
      'stripe',
      'Cash',
      'a'.repeat(33),
      0,
      1,
      -1,
      1.5,
      100,
      101,
      1e21,
      NaN,
      true,
      null,
      [],
      [1],
      {},
      { a: 1 },
    ];
    const paths = [
      ['items', 0, 'variantId'],
      ['items', 0, 'quantity'],
      ['items', 0],
      ['items'],
      ['contact', 'name'],
      ['contact', 'email'],
      ['contact', 'phone'],
      ['contact'],
      ['shippingAddress', 'line1'],
      ['shippingAddress', 'line2'],
      ['shippingAddress', 'city'],
      ['shippingAddress', 'state'],
      ['shippingAddress', 'postalCode'],
      ['shippingAddress', 'country'],
      ['shippingAddress'],
      ['paymentMethod'],
      ['accessCode'],
      ['extra'],
      ['contact', 'extra'],
      ['items', 1],
    ] as const;
    // mulberry32: small, seeded, and even in its low bits.
    let seed = 20261205;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return Math.floor((((x ^ (x >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    let accepted = 0;
    for (let round = 0; round < 3000; round++) {
      const input = body() as Record<string, unknown>;
      for (let changes = 1 + random(3); changes > 0; changes--) {
        const path = paths[random(paths.length)];
        let target: unknown = input;
        for (const key of path.slice(0, -1))
          target = typeof target === 'object' && target ? (target as Record<string, unknown>)[key] : undefined;
        const value = AWKWARD[random(AWKWARD.length)];
        // An earlier change may have replaced the parent with a value that has no fields: this change has nowhere to go.
        if (typeof target === 'object' && target)
          (target as Record<string, unknown>)[path[path.length - 1]] = typeof value === 'object' && value ? structuredClone(value) : value;
      }
      const fast = readValidCheckout(structuredClone(input));
      if (!fast) continue;
      accepted++;
      const judged = await decorated(input).catch((error: unknown) => error);
      if (judged instanceof Error) throw new Error(`the reader accepted a body the decorators refuse: ${JSON.stringify(input)}`);
      expect([JSON.stringify(input), fast]).toStrictEqual([JSON.stringify(input), judged]);
    }
    // Enough of them were accepted for the comparison to mean something.
    expect(accepted).toBeGreaterThan(200);
  });

  it('is what the pipe uses for a valid checkout body', async () => {
    expect(await pipe.transform(body(), metadata)).toStrictEqual(await decorated(body()));
  });
});
