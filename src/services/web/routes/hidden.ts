/**
 * robots.txt and the paths it "hides": /admin and /admin-config hand out a fake admin token (a honeytoken
 * signed like a session cookie), /secure and /ensurance_data show decoy protected content built from the
 * archive's (fake) Danish patients. Each read is `dicomhawk.web.hidden`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Portal } from '../context.ts';
import { route } from '../http/errors.ts';
import { html } from '../pages/html.ts';
import { page } from '../pages/layout.ts';
import type { AdminTokens } from '../portal/adminTokens.ts';
import { isoDay, personName, query, type Row } from '../portal/search.ts';
import { attributeByKeyword } from '../../../domain/archive/dictionary.ts';

const ROBOTS = 'User-agent: *\nDisallow: /admin\nDisallow: /admin-config\nDisallow: /secure\nDisallow: /ensurance_data\n';
const INSURERS = ['Sygeforsikringen danmark', 'Tryg Forsikring', 'Codan Forsikring', 'Topdanmark', 'Skandia Sundhed', 'PFA Helbredssikring'];
const RECORDS = 200;

function keys(keywords: string[]) {
  return keywords.map((k) => {
    const a = attributeByKeyword(k)!;
    return { tag: a.tag, vr: a.vr, value: '' };
  });
}

function csvCell(v: string): string {
  return /[",\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A stable pseudo-random number for a record (so the export does not change between reads). */
function figure(seed: string, min: number, max: number): number {
  const n = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return min + (n % (max - min + 1));
}

export function registerHiddenRoutes(app: FastifyInstance, portal: Portal, admin: AdminTokens): void {
  const studies = (req: FastifyRequest): Row[] =>
    query(portal.data.archive, 'study-root', 'STUDY', keys(['PatientName', 'PatientID', 'PatientBirthDate', 'StudyDate', 'AccessionNumber', 'StudyDescription', 'InstitutionName', 'ModalitiesInStudy']), portal.state(req).peer.ip, {
      limit: RECORDS,
    }).rows;

  route(app, portal, '/robots.txt', {
    GET: (req, reply) => {
      portal.log(req).emit('dicomhawk.web.hidden', { resource: 'robots.txt', token: null, records: 0 });
      return reply.header('content-type', 'text/plain; charset=utf-8').send(ROBOTS);
    },
  });

  route(app, portal, '/admin', {
    GET: (req, reply) => {
      const st = portal.state(req);
      const token = admin.issue(st.peer.ip, st.shared.log);
      st.shared.log.emit('dicomhawk.web.hidden', { resource: 'admin', token, records: 0 }, ['honeytoken']);
      const body = page({
        title: 'Administration',
        brand: portal.brand,
        nav: 'admin',
        body: html`<h1>System administration</h1>
<div class="alert warn">Maintenance mode: authentication for this page is disabled until the 7.4.3 update has been installed.</div>
<div class="card"><h2 class="first">Service API token</h2>
<p class="muted">Token of the <b>pacs-admin</b> service account (integration engine, RIS bridge). Send it as <code>Authorization: Bearer …</code> or as the session cookie <code>IVWSESSION</code>. Valid for 30 days.</p>
<pre class="token">${token}</pre></div>
<div class="card"><table class="kv"><tr><td>Archive node</td><td>PACS · port 104 / 11112</td></tr><tr><td>Web API</td><td>/dicom-web (QIDO-RS, WADO-RS, STOW-RS)</td></tr><tr><td>Configuration</td><td><a href="/admin-config">/admin-config</a></td></tr></table></div>`,
      });
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body.text);
    },
  });

  route(app, portal, '/admin-config', {
    GET: (req, reply) => {
      const st = portal.state(req);
      const token = admin.issue(st.peer.ip, st.shared.log);
      st.shared.log.emit('dicomhawk.web.hidden', { resource: 'admin-config', token, records: 0 }, ['honeytoken']);
      const config = {
        product: `${portal.brand.product} ${portal.brand.version}`,
        site: portal.brand.hospital,
        dicom: { ae_title: portal.config.dicomAeTitle, ports: portal.config.dicomPorts, tls: false },
        web: { session_timeout_min: Math.round(portal.config.apiSessionIdleMs / 60_000), dicomweb: '/dicom-web' },
        auth: { provider: 'local', ldap_fallback: false, service_account: 'pacs-admin', service_token: token },
        storage: { archive: '/srv/pacs/archive', quarantine: '/srv/pacs/incoming' },
      };
      return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(`${JSON.stringify(config, null, 2)}\n`);
    },
  });

  route(app, portal, '/secure', {
    GET: (req, reply) => {
      const rows = studies(req);
      const seen = new Set<string>();
      const patients = rows.filter((r) => !seen.has(r.PatientID ?? '') && seen.add(r.PatientID ?? ''));
      portal.log(req).emit('dicomhawk.web.hidden', { resource: 'secure', token: null, records: patients.length });
      const body = page({
        title: 'Protected records',
        brand: portal.brand,
        body: html`<h1>Protected patient records</h1>
<div class="alert warn">Names and addresses protected (navne- og adressebeskyttelse). Disclosure only with the approval of the data protection officer.</div>
<table class="grid"><thead><tr><th>Patient</th><th>CPR</th><th>Birth date</th><th>Last study</th><th>Institution</th></tr></thead><tbody>
${patients.map((r) => html`<tr><td>${personName(r.PatientName)}</td><td>${r.PatientID ?? ''}</td><td>${isoDay(r.PatientBirthDate)}</td><td>${isoDay(r.StudyDate)} ${r.StudyDescription ?? ''}</td><td>${r.InstitutionName ?? ''}</td></tr>`)}
</tbody></table>`,
      });
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body.text);
    },
  });

  route(app, portal, '/ensurance_data', {
    GET: (req, reply) => {
      const rows = studies(req);
      portal.log(req).emit('dicomhawk.web.hidden', { resource: 'ensurance_data', token: null, records: rows.length });
      const lines = ['claim_id;cpr;patient_name;birth_date;study_date;accession;procedure;modality;insurer;policy_no;amount_dkk;status'];
      for (const r of rows) {
        const acc = r.AccessionNumber ?? '';
        const seed = `${r.PatientID}/${acc}/${r.StudyDate}`;
        const fields = [
          `CL-${r.StudyDate?.slice(0, 4) ?? '2024'}-${String(figure(seed, 10000, 99999))}`,
          r.PatientID ?? '',
          personName(r.PatientName),
          isoDay(r.PatientBirthDate),
          isoDay(r.StudyDate),
          acc,
          r.StudyDescription ?? '',
          (r.ModalitiesInStudy ?? '').replaceAll('\\', '/'),
          INSURERS[figure(`${seed}/i`, 0, INSURERS.length - 1)]!,
          `P${figure(`${seed}/p`, 1000000, 9999999)}`,
          `${figure(`${seed}/a`, 850, 24500)},00`,
          ['approved', 'approved', 'submitted', 'paid', 'rejected'][figure(`${seed}/s`, 0, 4)]!,
        ];
        lines.push(fields.map(csvCell).join(';'));
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'inline; filename="claims_export.csv"')
        .header('cache-control', 'no-store')
        .send(`${lines.join('\r\n')}\r\n`);
    },
  });
}
