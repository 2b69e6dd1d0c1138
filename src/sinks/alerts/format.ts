/**
 * The body of an alert: `json` (the alert, the counts held back before it, and the whole event) or `slack`
 * (an incoming-webhook message: text plus blocks; attacker text escaped so it cannot form links or mentions).
 */
import type { Alert } from './rules.ts';
import type { Held } from './throttle.ts';

export type AlertFormat = 'json' | 'slack';

export interface AlertBody {
  alert: Alert['kind'];
  severity: Alert['severity'];
  title: string;
  sensor: string;
  session: string;
  src_ip: string | null;
  timestamp: string;
  eventid: string;
  held_back: Held;
  event: Alert['event'];
}

export function jsonBody(a: Alert, held: Held): AlertBody {
  const e = a.event;
  return {
    alert: a.kind,
    severity: a.severity,
    title: a.title,
    sensor: e.sensor,
    session: e.session,
    src_ip: e.src_ip,
    timestamp: e.timestamp,
    eventid: e.eventid,
    held_back: held,
    event: e,
  };
}

/** Slack mrkdwn: &, < and > are the control characters (links, mentions); escaping them makes text inert. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ICON: Record<Alert['severity'], string> = { critical: ':rotating_light:', high: ':warning:', medium: ':mag:' };

export function slackBody(a: Alert, held: Held): unknown {
  const e = a.event;
  const title = `${ICON[a.severity]} DICOMHawk ${a.severity}: ${slackEscape(a.title)}`;
  const fields = [
    `*Sensor*\n${slackEscape(e.sensor)}`,
    `*Source*\n${slackEscape(e.src_ip ?? '-')}${e.src_port !== null ? `:${e.src_port}` : ''}`,
    `*Event*\n${slackEscape(e.eventid)}`,
    `*Session*\n${slackEscape(e.session)}`,
  ];
  const note = held.duplicates + held.rateLimited > 0 ? `${held.rateLimited} alert(s) rate-limited and ${held.duplicates} duplicate(s) held back before this one` : null;
  return {
    text: title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: title } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${slackEscape(e.timestamp)}${note ? ` · ${note}` : ''}` }] },
    ],
  };
}

export function alertBody(format: AlertFormat, a: Alert, held: Held): string {
  return JSON.stringify(format === 'slack' ? slackBody(a, held) : jsonBody(a, held));
}
