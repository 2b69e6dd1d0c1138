/** Small DOM helpers: every text from the store (attacker-controlled) goes in as text nodes, never as HTML. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

const nf = new Intl.NumberFormat('en-GB');
export const fmtNum = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : nf.format(n));

const pad = (n: number): string => String(n).padStart(2, '0');
/** UTC time as the events carry it: 2026-11-28 14:03:07 (operators compare it with logs and SIEM timestamps). */
export function fmtTime(ms: number | string | null | undefined, withDate = true): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const t = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withDate ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${t}` : t;
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A score as a coloured badge: threat 0–100 (ours), abuse 0–100 (AbuseIPDB/IPQS), malicious = engines flagging. */
export function scoreBadge(kind: 'threat' | 'abuse' | 'malicious', v: number | null | undefined): HTMLElement {
  if (v === null || v === undefined) return h('span', { class: 'score none', title: `${kind} score: no answer` }, '—');
  const level = kind === 'malicious' ? (v >= 5 ? 'high' : v >= 1 ? 'mid' : 'low') : v >= 70 ? 'high' : v >= 35 ? 'mid' : 'low';
  return h('span', { class: `score ${level}`, title: `${kind} score` }, String(Math.round(v * 10) / 10));
}

/** A country code as text (no flag emoji: many Linux desktops have no font for them), or a dash. */
export function country(cc: string | null | undefined): string {
  return cc ? cc.trim().toUpperCase() : '—';
}

export function link(href: string, text: string, cls?: string): HTMLAnchorElement {
  return h('a', { href, class: cls }, text);
}

export function sessionLink(id: string, label?: string): HTMLAnchorElement {
  // The end of a session id (UUIDv7) is its random part: what tells two sessions of the same second apart.
  return h('a', { href: `#/session/${encodeURIComponent(id)}`, class: 'mono', title: id }, label ?? `…${id.slice(-8)}`);
}

export function searchLink(params: Record<string, string>, text: string, cls = ''): HTMLAnchorElement {
  return link(`#/search?${new URLSearchParams(params).toString()}`, text, cls);
}

export function table(headers: string[], rows: Array<Array<Child | Child[]>>, opts: { empty?: string; cls?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, opts.empty ?? 'Nothing yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: opts.cls ?? '' },
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, ...(Array.isArray(c) ? c : [c])))))),
    ),
  );
}

export function card(title: string | Node, ...body: Array<Child | Child[]>): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}
