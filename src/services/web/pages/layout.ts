/** The frame of every portal page: header with product and site, navigation, footer. */
import { html, type Html } from './html.ts';

export interface Branding {
  product: string;
  version: string;
  hospital: string;
  department: string;
}

export interface LayoutOptions {
  title: string;
  brand: Branding;
  /** Signed-in user (navigation shown), else null. */
  user?: string | null;
  /** Current navigation item. */
  nav?: 'search' | 'upload' | 'admin' | null;
  csrf?: string | null;
  body: Html;
}

export function page(o: LayoutOptions): Html {
  const b = o.brand;
  const item = (key: LayoutOptions['nav'], href: string, label: string) => html`<a href="${href}" class="${o.nav === key ? 'on' : ''}">${label}</a>`;
  const nav = o.user
    ? html`<nav>${item('search', '/search', 'Studies')}${item('upload', '/upload', 'Import')}<span class="user">${o.user}</span><form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${o.csrf ?? ''}"><button type="submit">Sign out</button></form></nav>`
    : html``;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · ${b.product}</title>
<link rel="stylesheet" href="/static/portal.css">
<link rel="icon" href="/favicon.ico">
</head>
<body>
<header class="top"><div class="brand"><span class="logo">IV</span>${b.product}</div><div class="site">${b.hospital} · ${b.department}</div>${nav}</header>
<main>
${o.body}
</main>
<footer class="bottom"><span>${b.product} ${b.version} · Web Access</span><span>For authorised clinical staff only. Access is logged.</span></footer>
</body>
</html>
`;
}

/** A product-looking error page (404, 405, 413, 429, 500 …). */
export function errorPage(brand: Branding, status: number, title: string, detail: string): Html {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status} ${title} · ${brand.product}</title>
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<header class="top"><div class="brand"><span class="logo">IV</span>${brand.product}</div><div class="site">${brand.hospital} · ${brand.department}</div></header>
<div class="error-page"><p class="code">${status}</p><h1>${title}</h1><p class="muted">${detail}</p><p><a class="btn ghost" href="/">Back to start page</a></p></div>
</body>
</html>
`;
}
