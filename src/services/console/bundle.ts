/**
 * The console's front-end (TypeScript and CSS under ./ui) bundled in memory with esbuild when the console starts:
 * one script, one stylesheet, Chart.js included, nothing fetched from anywhere else.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export type Assets = Record<'app.js' | 'app.css', Asset>;

const asset = (body: Buffer | Uint8Array, type: string): Asset => {
  const b = Buffer.from(body);
  return { body: b, type, etag: `"${createHash('sha256').update(b).digest('base64url').slice(0, 22)}"` };
};

export async function buildAssets(): Promise<Assets> {
  const esbuild = await import('esbuild').catch(() => {
    throw new Error('the console front-end needs esbuild (a devDependency): install with `npm ci`, not --omit=dev');
  });
  const entry = fileURLToPath(new URL('./ui/main.ts', import.meta.url));
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    outdir: '/console-assets',
    entryNames: 'app',
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error('console front-end build produced no script or stylesheet');
  return { 'app.js': asset(js.contents, 'text/javascript; charset=utf-8'), 'app.css': asset(css.contents, 'text/css; charset=utf-8') };
}
