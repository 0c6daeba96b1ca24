import { parseShiprocketTime } from './shiprocket.carrier.js';

describe('Shiprocket times (India time, two formats)', () => {
  it('reads scan dates and webhook timestamps as the same instant', () => {
    const scan = parseShiprocketTime('2023-05-23 11:43:52');
    const webhook = parseShiprocketTime('23 05 2023 11:43:52');
    expect(scan?.toISOString()).toBe('2023-05-23T06:13:52.000Z');
    expect(webhook?.getTime()).toBe(scan?.getTime());
    expect(parseShiprocketTime('2023-05-23 11:43')?.toISOString()).toBe('2023-05-23T06:13:00.000Z');
  });

  it('refuses anything else', () => {
    for (const value of [undefined, '', 'yesterday', '2023-13-45 99:99:99', '23/05/2023 11:43:52'])
      expect(parseShiprocketTime(value)).toBeUndefined();
  });
});
