import { describe, expect, it } from '@jest/globals';
import { checkTrackingUrlTemplate } from './tracking-url.js';

describe('tracking URL template check', () => {
  it('accepts an http(s) URL with placeholders, and refuses anything else', () => {
    expect(checkTrackingUrlTemplate({})).toEqual([]);
    expect(checkTrackingUrlTemplate({ TRACKING_URL_TEMPLATE: 'https://t.example/{carrier}/{trackingNumber}' })).toEqual([]);
    expect(checkTrackingUrlTemplate({ TRACKING_URL_TEMPLATE: 'track/{trackingNumber}' })).toEqual([
      'TRACKING_URL_TEMPLATE: must be an http(s) URL with {trackingNumber} and optionally {carrier}',
    ]);
  });
});
