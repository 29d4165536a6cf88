import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/**
 * The part of undici the collectors and the monitor use — Agent, Client, buildConnector, request — loaded without the
 * rest of the package. `require('undici')` loads everything it exports (fetch, WebSocket, EventSource, the caches, the
 * mock agents, the interceptors): ~70 ms of compiling at every start of the command line, before the first request,
 * for ~20 ms of what is used. The same classes and the same `request` are taken from the package's own files (pinned
 * major 7); should a later release move them, the whole package is loaded instead (`lean` says which).
 */
type Api = {
  Agent: typeof Undici.Agent;
  Client: typeof Undici.Client;
  buildConnector: typeof Undici.buildConnector;
  request: typeof Undici.request;
  lean: boolean;
};

function load(): Api {
  const req = createRequire(import.meta.url);
  try {
    const Agent = req('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
    const Client = req('undici/lib/dispatcher/client.js') as typeof Undici.Client;
    const buildConnector = req('undici/lib/core/connect.js') as typeof Undici.buildConnector;
    const Dispatcher = req('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
    const api = req('undici/lib/api/index.js') as { request: (this: Undici.Dispatcher, opts: object) => Promise<Undici.Dispatcher.ResponseData> };
    const util = req('undici/lib/core/util.js') as { parseURL(u: string | URL): URL };
    const { getGlobalDispatcher } = req('undici/lib/global.js') as { getGlobalDispatcher(): Undici.Dispatcher };
    if (typeof Agent !== 'function' || typeof Client !== 'function' || typeof buildConnector !== 'function' || typeof api?.request !== 'function') {
      throw new Error('undici layout changed');
    }
    // As the package's index does: dispatchers get request, stream, pipeline, upgrade and connect.
    Object.assign(Dispatcher.prototype, api);
    // The package's top-level request() for the calls made here: a URL (string or URL) and an options object.
    const request = ((url: string | URL, opts: Undici.Dispatcher.RequestOptions & { dispatcher?: Undici.Dispatcher } = {} as never) => {
      const u = util.parseURL(url);
      const { dispatcher = getGlobalDispatcher() } = opts;
      return api.request.call(dispatcher, {
        ...opts,
        origin: u.origin,
        path: u.search ? `${u.pathname}${u.search}` : u.pathname,
        method: opts.method || (opts.body ? 'PUT' : 'GET'),
      });
    }) as unknown as typeof Undici.request;
    return { Agent, Client, buildConnector, request, lean: true };
  } catch {
    const u = req('undici') as typeof Undici;
    return { Agent: u.Agent, Client: u.Client, buildConnector: u.buildConnector, request: u.request, lean: false };
  }
}

const undici = load();
export const { Agent, Client, buildConnector, request } = undici;
/** Whether the lean load worked (tests). */
export const undiciLean = undici.lean;
