/** The sign-in page (with the developer's forgotten comment), the lockout notice and "Under development". */
import type { Credential } from '../login/credentials.ts';
import { html, raw, type Html } from './html.ts';
import { page, type Branding } from './layout.ts';

export interface LoginView {
  brand: Branding;
  csrf: string;
  next: string;
  username?: string;
  error?: string | null;
  info?: string | null;
  leaked: Credential;
}

export function loginPage(v: LoginView): Html {
  const b = v.brand;
  // The "leak": a QA account left in a comment by a developer (its password opens only the dev module).
  const leak = raw(
    `<!-- TODO(jkr): remove QA account before go-live (ticket PACSWEB-1182)\n     user: ${v.leaked.username}\n     pass: ${v.leaked.password}\n     only has access to the new worklist module for now -->`,
  );
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ${b.product}</title>
<link rel="stylesheet" href="/static/portal.css">
<link rel="icon" href="/favicon.ico">
</head>
<body>
<div class="login-wrap">
<div class="login">
<div class="brand"><span class="logo">IV</span><h1>${b.product}</h1></div>
<div class="site">${b.hospital} · ${b.department}</div>
${v.error ? html`<div class="alert err" role="alert">${v.error}</div>` : ''}
${v.info ? html`<div class="alert warn">${v.info}</div>` : ''}
<form method="post" action="/login" autocomplete="off">
<input type="hidden" name="_csrf" value="${v.csrf}">
<input type="hidden" name="next" value="${v.next}">
<div class="field"><label for="username">User name</label><input type="text" id="username" name="username" value="${v.username ?? ''}" autofocus></div>
<div class="field"><label for="password">Password</label><input type="password" id="password" name="password"></div>
${leak}
<button class="btn" type="submit">Sign in</button>
</form>
<div class="foot"><span>${b.product} ${b.version}</span><span>Help: IT service desk</span></div>
</div>
</div>
</body>
</html>
`;
}

export function underDevelopmentPage(brand: Branding, user: string, csrf: string): Html {
  return page({
    title: 'Under development',
    brand,
    user,
    csrf,
    body: html`<div class="card"><h1>Worklist 2.0 — under development</h1>
<p>This module is being prepared for the upcoming release and is not yet available in this environment.</p>
<p class="muted">Build 7.5.0-rc3 · QA environment · Data shown in this module is synthetic.</p>
<div class="alert warn">Your account (<b>${user}</b>) is a QA account and has no access to the production archive.</div>
</div>`,
  });
}
