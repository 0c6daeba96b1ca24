import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContextData {
  requestId?: string;
  /** The brand every query of this request or job runs as (README "Brands"); set once, where the request is resolved. */
  brandId?: string;
  /** The brand path prefix the request came in under (`/b/<slug>`), '' for none: links and cookies the answer sets keep it. */
  basePath?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/** Per-request data (the request id, the brand) that audit entries and the database pick up without threading it through every call. */
export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  get(): RequestContextData | undefined {
    return storage.getStore();
  },
};
