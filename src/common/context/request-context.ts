import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContextData {
  requestId?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/** Per-request data (the request id) that audit entries pick up without threading it through every call. */
export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  get(): RequestContextData | undefined {
    return storage.getStore();
  },
};
