import { CarrierProvider, type CarrierDescriptor } from './carrier-provider.js';
import { registerCarrier } from './carrier-registry.js';

const carrier = (descriptor: CarrierDescriptor, methods: Partial<CarrierProvider> = {}) => {
  abstract class Base extends CarrierProvider {}
  const cls = class extends Base {
    static readonly descriptor = descriptor;
    book = () => Promise.reject(new Error('unused'));
    label = () => Promise.resolve(undefined);
    cancel = () => Promise.resolve();
  };
  Object.assign(cls.prototype, methods);
  return cls;
};

describe('carrier registry', () => {
  it('refuses a carrier whose descriptor and methods disagree, or whose name is not a name', () => {
    expect(() => registerCarrier(carrier({ name: 'Bad Name', label: 'x', credentials: {} }))).toThrow(/name/);
    expect(() => registerCarrier(carrier({ name: 'hooked', label: 'x', credentials: {}, webhook: { path: 'p', headers: [] } }))).toThrow(
      /parseWebhook/,
    );
    expect(() => registerCarrier(carrier({ name: 'polled', label: 'x', credentials: {}, polled: true }))).toThrow(/track/);
  });

  it('refuses a second class under a taken name', () => {
    registerCarrier(carrier({ name: 'spec_carrier', label: 'x', credentials: {} }));
    expect(() => registerCarrier(carrier({ name: 'spec_carrier', label: 'y', credentials: {} }))).toThrow(/taken/);
  });
});
