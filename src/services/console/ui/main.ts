/**
 * The console front-end: a header with the pages (Overview, Live, Search; a session's detail opens from any of
 * them), a light/dark switch (follows the system until chosen), and a hash router.
 */
import './styles.css';
import { destroyCharts } from './charts.ts';
import { clear, h } from './dom.ts';
import { renderLive, stopLive } from './pages/live.ts';
import { renderOverview } from './pages/overview.ts';
import { renderSearch } from './pages/search.ts';
import { renderSession } from './pages/session.ts';

const THEME_KEY = 'dicomhawk-console-theme';

function applyTheme(theme: string | null): void {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function currentTheme(): 'light' | 'dark' {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// Before the first paint: the stored choice, if any.
applyTheme(localStorage.getItem(THEME_KEY));

let rerender: (() => void) | null = null;

function layout(): HTMLElement {
  const toggle = h('button', { class: 'ghost', id: 'theme-toggle', type: 'button', title: 'Switch light/dark' }, '');
  const label = (): void => {
    toggle.textContent = currentTheme() === 'dark' ? '☀ Light' : '☾ Dark';
  };
  label();
  toggle.addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
    label();
    rerender?.();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    label();
    rerender?.();
  });
  const nav = h(
    'nav',
    { class: 'nav' },
    h('a', { href: '#/overview', 'data-page': 'overview' }, 'Overview'),
    h('a', { href: '#/live', 'data-page': 'live' }, 'Live'),
    h('a', { href: '#/search', 'data-page': 'search' }, 'Search'),
  );
  const logout = h('form', { method: 'post', action: '/logout', class: 'inline' }, h('button', { class: 'ghost', type: 'submit' }, 'Sign out'));
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/overview' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'DICOMHawk', h('span', { class: 'brand-sub' }, 'console')),
    nav,
    h('div', { class: 'spacer' }),
    toggle,
    logout,
  );
}

function route(main: HTMLElement): void {
  const hash = location.hash || '#/overview';
  const [path, query = ''] = hash.slice(1).split('?') as [string, string?];
  const parts = path.split('/').filter(Boolean);
  const page = parts[0] ?? 'overview';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('.nav a')) a.classList.toggle('active', a.dataset.page === page);
  if (page !== 'live') stopLive();
  destroyCharts();
  clear(main);
  const params = new URLSearchParams(query);
  let render: () => void;
  if (page === 'live') render = () => renderLive(main);
  else if (page === 'search') render = () => void renderSearch(main, params);
  else if (page === 'session' && parts[1]) render = () => void renderSession(main, decodeURIComponent(parts[1]!));
  else render = () => void renderOverview(main, params);
  // A theme switch redraws the charts in the new colours (the Live page keeps its stream).
  rerender = page === 'live' ? null : () => {
    destroyCharts();
    clear(main);
    render();
  };
  render();
  document.title = `${page[0]!.toUpperCase()}${page.slice(1)} · DICOMHawk console`;
}

function start(): void {
  const root = document.getElementById('app');
  if (!root) return;
  clear(root);
  const main = h('main', { class: 'page', id: 'page' });
  root.append(layout(), main);
  window.addEventListener('hashchange', () => route(main));
  route(main);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
