/**
 * `npm run bench -- <name> [...]`: runs the named benchmarks (all when none is named). Each reports its
 * figures next to a reference measured in the same run, as ratios; nothing here is a pass/fail unit test.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  events: async () => (await import('./events.ts')).run(),
  dimse: async () => (await import('./dimse.ts')).run(),
  qr: async () => (await import('./qr.ts')).run(),
  web: async () => (await import('./web.ts')).run(),
  console: async () => (await import('./console.ts')).run(),
  scanners: async () => {
    const r = await (await import('./scanners.ts')).benchScanners();
    for (const [k, v] of Object.entries(r)) console.log(`${k}: ${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`);
  },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const b = BENCHES[name];
  if (!b) {
    console.error(`unknown benchmark ${JSON.stringify(name)}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  await b();
}
