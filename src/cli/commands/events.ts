import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { isEventId } from '../../core/events/catalogue.ts';
import { openDb } from '../../core/storage/db.ts';
import { dataPaths } from '../../core/storage/dataDir.ts';
import { fail, loadOrExit } from '../common.ts';
import { parseTime, queryEvents, type EventFilter } from '../eventQuery.ts';

interface FilterOpts {
  eventid?: string;
  srcIp?: string;
  session?: string;
  since?: string;
  until?: string;
  limit: string;
}

function withFilters(cmd: Command, defaultLimit: string): Command {
  return cmd
    .option('-e, --eventid <id>', 'event id, or a prefix ending in * (e.g. dicomhawk.dimse.*)')
    .option('-i, --src-ip <ip>', 'source IP address')
    .option('-s, --session <id>', 'session id')
    .option('--since <time>', 'ISO 8601 time or a duration before now (15m, 2h, 7d)')
    .option('--until <time>', 'ISO 8601 time or a duration before now')
    .option('-n, --limit <n>', 'maximum number of events', defaultLimit);
}

function toFilter(o: FilterOpts): EventFilter {
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000_000) fail(`--limit ${JSON.stringify(o.limit)}: expected a whole number from 1 to 10000000`);
  if (o.eventid && !o.eventid.endsWith('*') && !isEventId(o.eventid)) fail(`--eventid ${JSON.stringify(o.eventid)} is not a known event id (use a prefix with * to match several)`);
  try {
    return {
      eventid: o.eventid,
      srcIp: o.srcIp,
      session: o.session,
      sinceMs: o.since ? parseTime(o.since) : undefined,
      untilMs: o.until ? parseTime(o.until) : undefined,
      limit,
    };
  } catch (err) {
    fail((err as Error).message);
  }
}

function openStore(program: Command) {
  const { config } = loadOrExit(program.opts<{ config?: string }>().config);
  const { db } = dataPaths(config.dataDir);
  if (!existsSync(db)) fail(`no event store at ${db} (has \`dicomhawk serve\` run with this DATA_DIR?)`);
  return openDb(db, { readonly: true });
}

export function registerEvents(program: Command): void {
  const events = program.command('events').description('read recorded events from the embedded store (JSON lines)');
  withFilters(events.command('query').description('print the events matching the filters, oldest first'), '1000').action((o: FilterOpts) => {
    const f = toFilter(o);
    const db = openStore(program);
    for (const r of queryEvents(db, f)) process.stdout.write(`${r.json}\n`);
    db.close();
  });
  withFilters(events.command('tail').description('print the latest events; with --follow keep printing new ones'), '20')
    .option('-f, --follow', 'keep printing events as they arrive')
    .action(async (o: FilterOpts & { follow?: boolean }) => {
      const f = toFilter(o);
      const db = openStore(program);
      const rows = queryEvents(db, { ...f, newestFirst: true }).reverse();
      let last = 0;
      for (const r of rows) {
        process.stdout.write(`${r.json}\n`);
        last = r.id;
      }
      if (!o.follow) {
        db.close();
        return;
      }
      if (last === 0) last = (db.prepare('SELECT coalesce(max(id), 0) FROM events').pluck().get() as number) ?? 0;
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        for (const r of queryEvents(db, { ...f, afterId: last, limit: 10_000 })) {
          process.stdout.write(`${r.json}\n`);
          last = r.id;
        }
      }
    });
}
