/**
 * The README's configuration table, generated from the settings list. `npx tsx scripts/settings-table.ts`
 * prints it; `--write` replaces the table in README.md (a test checks the README names every setting).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS, type Setting } from '../src/core/config/settings.ts';

export function settingsTable(): string {
  const rows = Object.values(SETTINGS as Record<string, Setting>).map((s) => {
    const def = s.default === undefined ? '(unset)' : typeof s.default === 'function' ? '(computed)' : `\`${s.default}\``;
    const names = [`\`${s.env}\``, ...(s.aliases ?? []).map((a) => `\`${a}\``)].join(' / ');
    return `| ${names} | ${def} | ${s.doc.replace(/\|/g, '\\|')}${s.secret ? ' *(secret: masked by `dicomhawk config`)*' : ''} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--write')) {
    const path = new URL('../README.md', import.meta.url);
    const readme = readFileSync(path, 'utf8');
    const start = readme.indexOf('| variable | default | meaning |');
    const end = readme.indexOf('\n\n', start);
    if (start < 0 || end < 0) throw new Error('README.md has no configuration table to replace');
    writeFileSync(path, readme.slice(0, start) + settingsTable() + readme.slice(end));
    console.log('README.md configuration table updated');
  } else console.log(settingsTable());
}
