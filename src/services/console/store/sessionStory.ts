/**
 * Session detail: every event of one session in order (DIMSE or web), the sessions row the SQLite sink folded,
 * honeytoken triggers of tokens issued to it (they arrive in another session, the requester's), the latest scores
 * with their reasons, and the quarantine records of what it uploaded.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleStore } from './consoleStore.ts';

/** Events shown for one session (a web session can be long); the page says when there are more. */
export const MAX_STORY_EVENTS = 5000;

export interface StoryEvent {
  id: number;
  ts_ms: number;
  event: Record<string, unknown>;
}

export interface QuarantineRef {
  sha256: string;
  size: number | null;
  /** The object is in DATA_DIR/quarantine. */
  stored: boolean;
}

export interface SessionStory {
  session: Record<string, unknown> | null;
  events: StoryEvent[];
  truncated: boolean;
  triggers: StoryEvent[];
  score: { abuse_score: number | null; malicious_score: number | null; threat_score: number | null; reasons: string[] } | null;
  quarantine: QuarantineRef[];
}

const SHA = /^[0-9a-f]{64}$/;

/** Where the quarantine keeps an object (the layout of domain/quarantine's Quarantine.pathOf). */
export function quarantineFile(quarantineDir: string, sha256: string): string {
  return join(quarantineDir, sha256.slice(0, 2), `${sha256}.bin`);
}

function parse(rows: Array<{ id: number; ts_ms: number; json: string }>): StoryEvent[] {
  return rows.map((r) => ({ id: r.id, ts_ms: r.ts_ms, event: JSON.parse(r.json) as Record<string, unknown> }));
}

/** SHA-256 of everything the session uploaded (C-STORE, STOW-RS, web upload). */
function uploadedHashes(events: StoryEvent[]): string[] {
  const out = new Set<string>();
  for (const { event: e } of events) {
    if (e.eventid === 'dicomhawk.dimse.store' && typeof e.sha256 === 'string') out.add(e.sha256);
    const list = e.eventid === 'dicomhawk.web.upload' ? e.files : e.eventid === 'dicomhawk.dicomweb.store' ? e.instances : null;
    if (Array.isArray(list)) for (const f of list as Array<Record<string, unknown>>) if (typeof f.sha256 === 'string') out.add(f.sha256);
  }
  return [...out].filter((s) => SHA.test(s));
}

export function sessionStory(store: ConsoleStore, id: string, quarantineDir: string): SessionStory | null {
  if (!store.hasEvents()) return null;
  const db = store.db;
  const rows = db.prepare('SELECT id, ts_ms, json FROM ev.events WHERE session = ? ORDER BY id LIMIT ?').all(id, MAX_STORY_EVENTS + 1) as Array<{ id: number; ts_ms: number; json: string }>;
  if (rows.length === 0) return null;
  const truncated = rows.length > MAX_STORY_EVENTS;
  const events = parse(rows.slice(0, MAX_STORY_EVENTS));
  const session = (db.prepare('SELECT * FROM ev.sessions WHERE session = ?').get(id) as Record<string, unknown> | undefined) ?? null;
  const triggers = parse(
    db.prepare('SELECT e.id, e.ts_ms, e.json FROM c_trigger t JOIN ev.events e ON e.id = t.event_id WHERE t.issued_session = ? ORDER BY e.id LIMIT 500').all(id) as Array<{
      id: number;
      ts_ms: number;
      json: string;
    }>,
  );
  let score: SessionStory['score'] = null;
  for (const { event: e } of events) {
    if (e.eventid === 'dicomhawk.score.update') {
      score = {
        abuse_score: (e.abuse_score as number | null) ?? null,
        malicious_score: (e.malicious_score as number | null) ?? null,
        threat_score: (e.threat_score as number | null) ?? null,
        reasons: Array.isArray(e.reasons) ? (e.reasons as string[]) : [],
      };
    }
  }
  const quarantine = uploadedHashes(events).map((sha256) => {
    const file = quarantineFile(quarantineDir, sha256);
    const stored = existsSync(file);
    return { sha256, stored, size: stored ? statSync(file).size : null };
  });
  return { session, events, truncated, triggers, score, quarantine };
}
