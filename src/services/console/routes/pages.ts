/** The page shell (the front-end routes inside it), the login form, logout and the bundled assets. */
import type { FastifyInstance } from 'fastify';
import { COOKIE, type ConsoleAuth } from '../auth.ts';
import type { ConsoleDeps } from '../server.ts';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, withApp: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
${withApp ? '<script src="/assets/app.js"></script>' : ''}
</head>
<body>
${body}
</body>
</html>
`;
}

export function loginPage(error: string | null): string {
  return page(
    'DICOMHawk console — sign in',
    `<main class="login">
  <form method="post" action="/login" class="card login-card">
    <h1><span class="logo" aria-hidden="true">◆</span> DICOMHawk console</h1>
    <p class="muted">Enter the operator token. <code>dicomhawk console-token</code> prints it.</p>
    ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
    <label for="token">Operator token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <button type="submit">Sign in</button>
  </form>
</main>`,
    false,
  );
}

export function registerPages(app: FastifyInstance, deps: ConsoleDeps, auth: ConsoleAuth): void {
  const shell = page('DICOMHawk console', '<div id="app" class="app"><noscript>The console needs JavaScript.</noscript></div>', true);
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(shell));

  app.get('/login', async (_req, reply) => reply.type('text/html; charset=utf-8').send(loginPage(null)));
  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!auth.allowed(req.ip)) return reply.code(429).header('retry-after', '60').type('text/html; charset=utf-8').send(loginPage('Too many failed attempts; wait a minute.'));
    const token = typeof body.token === 'string' ? body.token : '';
    if (!auth.tokenMatches(token)) {
      auth.failed(req.ip);
      return reply.code(401).type('text/html; charset=utf-8').send(loginPage('Wrong token.'));
    }
    reply.setCookie(COOKIE, auth.cookieValue, { path: '/', httpOnly: true, sameSite: 'strict', secure: false, maxAge: 30 * 86_400 });
    return reply.code(303).header('location', '/').send();
  });
  app.post('/logout', async (_req, reply) => {
    reply.clearCookie(COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    return reply.code(303).header('location', '/login').send();
  });

  for (const name of ['app.js', 'app.css'] as const) {
    app.get(`/assets/${name}`, async (req, reply) => {
      const a = deps.assets?.[name];
      if (!a) return reply.code(503).type('text/plain; charset=utf-8').send('the console front-end could not be built; see the server log');
      reply.header('cache-control', 'no-cache').header('etag', a.etag);
      if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    });
  }
}
