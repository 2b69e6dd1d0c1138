/**
 * The decoy portal for tests: buildWebApp over a small archive of real DICOM files (dump2dcm), a
 * quarantine and a honeytoken registry in a temporary directory, listening on loopback; every event is
 * collected from the bus and checked against the catalogue's schema. `Browser` is a tiny cookie-keeping
 * HTTP client (undici fetch, redirects not followed).
 */
import { silentLogger } from '../../../src/core/log.ts';
import { buildWebApp, type WebApp } from '../../../src/services/web/app.ts';
import { HONEY_SOP, HONEY_TOKEN, openDecoyFixture, type DecoyFixture } from '../../helpers/decoyFixture.ts';
import { PATIENTS } from '../../helpers/qrServer.ts';

export { HONEY_SOP, HONEY_TOKEN, PATIENTS };

export const SECRETS = { jwtKey: 'test-jwt-key-0123456789abcdef', installSecret: 'test-install-secret-0123456789' };

export interface WebServer extends DecoyFixture {
  readonly url: string;
  readonly web: WebApp;
  stop(): Promise<void>;
}

export async function startWeb(env: Record<string, string> = {}, opts: { manyStudies?: number; collect?: boolean } = {}): Promise<WebServer> {
  const f = await openDecoyFixture({ prefix: 'dh-web-', env: { API_PORT: '3000', ...env }, honeyHost: '127.0.0.1', ...opts });
  const web = await buildWebApp({ data: f.data, config: f.config, secrets: SECRETS, bus: f.bus, diag: silentLogger() });
  const url = await web.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...f,
    url,
    web,
    async stop() {
      await web.close();
      f.close();
    },
  };
}

/** A cookie-keeping client: fetch with redirect: 'manual'. */
export class Browser {
  cookie: string | null = null;
  constructor(readonly base: string) {}

  async req(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie && !headers.has('cookie')) headers.set('cookie', this.cookie);
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const pair = set.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    return res;
  }

  /** GET /login and return the CSRF token of its form. */
  async csrf(path = '/login'): Promise<string> {
    const res = await this.req(path);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (!m) throw new Error(`no CSRF token on ${path} (${res.status})`);
    return m[1]!;
  }

  async login(username: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
    const csrf = await this.csrf();
    return this.req('/login', { method: 'POST', body: new URLSearchParams({ _csrf: csrf, username, password, ...extra }) });
  }
}
