/** Prints the README's configuration table from the settings list (`npx tsx scripts/settings-table.ts`). */
import { SETTINGS, type Setting } from '../src/core/config/settings.ts';

const rows = Object.values(SETTINGS as Record<string, Setting>).map((s) => {
  const def = s.default === undefined ? '(unset)' : typeof s.default === 'function' ? '(computed)' : `\`${s.default}\``;
  const names = [`\`${s.env}\``, ...(s.aliases ?? []).map((a) => `\`${a}\``)].join(' / ');
  return `| ${names} | ${def} | ${s.doc.replace(/\|/g, '\\|')}${s.secret ? ' *(secret: masked by `dicomhawk config`)*' : ''} |`;
});
console.log(['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n'));
