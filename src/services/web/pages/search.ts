/** Search form with paginated results, study detail and series detail pages. */
import { columnsOf, isoDay, MODALITIES, personName, SEARCH_LEVELS, type Row, type SearchForm, type SearchResult } from '../portal/search.ts';
import { html, type Html } from './html.ts';
import { page, type Branding } from './layout.ts';

const HEADINGS: Record<string, string> = {
  PatientName: 'Patient name',
  PatientID: 'Patient ID (CPR)',
  PatientBirthDate: 'Birth date',
  PatientSex: 'Sex',
  NumberOfPatientRelatedStudies: 'Studies',
  StudyDate: 'Study date',
  SeriesDate: 'Series date',
  StudyTime: 'Time',
  AccessionNumber: 'Accession no.',
  ModalitiesInStudy: 'Modalities',
  StudyDescription: 'Description',
  NumberOfStudyRelatedSeries: 'Series',
  NumberOfStudyRelatedInstances: 'Images',
  Modality: 'Modality',
  SeriesNumber: 'Series no.',
  SeriesDescription: 'Series description',
  BodyPartExamined: 'Body part',
  NumberOfSeriesRelatedInstances: 'Images',
  InstanceNumber: 'Image no.',
  SOPClassUID: 'SOP class',
  Rows: 'Rows',
  Columns: 'Columns',
};
const HIDDEN = new Set(['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'StudyTime']);

const LEVEL_LABEL: Record<string, string> = { patient: 'Patients', study: 'Studies', series: 'Series', image: 'Images' };

function cell(keyword: string, v: string | undefined): Html | string {
  if (v === undefined) return '';
  if (keyword.endsWith('Name')) return personName(v);
  if (keyword.endsWith('Date')) return isoDay(v);
  if (keyword === 'ModalitiesInStudy') return html`${v.split('\\').map((m) => html`<span class="tag">${m}</span>`)}`;
  return v;
}

export function enc(s: string): string {
  return encodeURIComponent(s);
}

function rowLink(level: string, r: Row): Html | string {
  const st = r.StudyInstanceUID;
  const se = r.SeriesInstanceUID;
  if (level === 'patient') return html`<a href="/search?level=study&pid=${enc(r.PatientID ?? '')}">Studies</a>`;
  if (level === 'study' && st) return html`<a href="/studies/${enc(st)}">Open</a> · <a href="/download/studies/${enc(st)}">ZIP</a>`;
  if (level === 'series' && st && se) return html`<a href="/studies/${enc(st)}/series/${enc(se)}">Open</a> · <a href="/download/studies/${enc(st)}/series/${enc(se)}">ZIP</a>`;
  if (level === 'image' && st && se && r.SOPInstanceUID) return html`<a href="/download/studies/${enc(st)}/series/${enc(se)}/instances/${enc(r.SOPInstanceUID)}">DICOM</a>`;
  return '';
}

export function resultsTable(level: string, cols: readonly string[], rows: readonly Row[]): Html {
  const shown = cols.filter((c) => !HIDDEN.has(c));
  return html`<table class="grid"><thead><tr>${shown.map((c) => html`<th>${HEADINGS[c] ?? c}</th>`)}<th></th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="${shown.length + 1}" class="muted">No matching entries.</td></tr>` : rows.map((r) => html`<tr>${shown.map((c) => html`<td>${cell(c, r[c])}</td>`)}<td class="links">${rowLink(level, r)}</td></tr>`)}</tbody></table>`;
}

function pager(f: SearchForm, r: SearchResult): Html {
  const link = (p: number) => {
    const q = new URLSearchParams({ level: f.level, name: f.name, pid: f.pid, from: f.from, to: f.to, modality: f.modality, accession: f.accession, page: String(p) });
    return `/search?${q.toString()}`;
  };
  const first = Math.max(1, r.page - 3);
  const last = Math.min(r.pages, r.page + 3);
  const nums: number[] = [];
  for (let p = first; p <= last; p++) nums.push(p);
  const from = r.total === 0 ? 0 : (r.page - 1) * 25 + 1;
  const to = Math.min(r.total, r.page * 25);
  const summary = r.rows.length === 0 ? `${r.total}${r.more ? '+' : ''} matches` : `${from}–${to} of ${r.total}${r.more ? '+' : ''}`;
  return html`<div class="pager"><span class="summary">${summary}</span>
${r.page > 1 ? html`<a href="${link(r.page - 1)}">‹ Prev</a>` : ''}${nums.map((p) => (p === r.page ? html`<span class="cur">${p}</span>` : html`<a href="${link(p)}">${p}</a>`))}${r.page < r.pages ? html`<a href="${link(r.page + 1)}">Next ›</a>` : ''}</div>`;
}

export function searchPage(brand: Branding, user: string, csrf: string, f: SearchForm, r: SearchResult | null, error: string | null): Html {
  return page({
    title: 'Study search',
    brand,
    user,
    csrf,
    nav: 'search',
    body: html`<h1>Search archive</h1>
<div class="card"><form class="search" method="get" action="/search">
<div><label for="level">Search for</label><select id="level" name="level">${SEARCH_LEVELS.map((l) => html`<option value="${l}"${f.level === l ? ' selected' : ''}>${LEVEL_LABEL[l]}</option>`)}</select></div>
<div><label for="name">Patient name (* ? allowed)</label><input type="text" id="name" name="name" value="${f.name}" placeholder="e.g. Jensen*"></div>
<div><label for="pid">Patient ID / CPR</label><input type="text" id="pid" name="pid" value="${f.pid}" placeholder="DDMMYY-XXXX"></div>
<div><label for="accession">Accession number</label><input type="text" id="accession" name="accession" value="${f.accession}"></div>
<div><label for="from">Study date from</label><input type="date" id="from" name="from" value="${f.from}"></div>
<div><label for="to">Study date to</label><input type="date" id="to" name="to" value="${f.to}"></div>
<div><label for="modality">Modality</label><select id="modality" name="modality"><option value="">Any</option>${MODALITIES.map((m) => html`<option${f.modality === m ? ' selected' : ''}>${m}</option>`)}</select></div>
<div class="actions"><button class="btn" type="submit">Search</button><a class="btn ghost" href="/search">Clear</a></div>
</form></div>
${error ? html`<div class="alert err">${error}</div>` : ''}
${r ? html`<h2>${LEVEL_LABEL[f.level]}</h2>${pager(f, r)}${resultsTable(f.level, columnsOf(f.level), r.rows)}${pager(f, r)}` : ''}`,
  });
}

export function studyPage(brand: Branding, user: string, csrf: string, study: Row, series: readonly Row[]): Html {
  const st = study.StudyInstanceUID ?? '';
  return page({
    title: 'Study',
    brand,
    user,
    csrf,
    nav: 'search',
    body: html`<h1>${personName(study.PatientName)} <span class="muted small">${study.PatientID ?? ''}</span></h1>
<div class="card"><table class="kv">
<tr><td>Study date</td><td>${isoDay(study.StudyDate)} ${study.StudyTime ? study.StudyTime.slice(0, 2) + ':' + study.StudyTime.slice(2, 4) : ''}</td></tr>
<tr><td>Description</td><td>${study.StudyDescription ?? ''}</td></tr>
<tr><td>Accession number</td><td>${study.AccessionNumber ?? ''}</td></tr>
<tr><td>Referring physician</td><td>${personName(study.ReferringPhysicianName)}</td></tr>
<tr><td>Institution</td><td>${study.InstitutionName ?? ''}</td></tr>
<tr><td>Birth date / sex</td><td>${isoDay(study.PatientBirthDate)} ${study.PatientSex ?? ''}</td></tr>
<tr><td>Study UID</td><td class="small">${st}</td></tr>
</table>
<p class="actions spaced"><a class="btn" href="/download/studies/${enc(st)}">Download study (ZIP)</a><a class="btn ghost" href="/search">Back to search</a></p></div>
<h2>Series</h2>
${resultsTable('series', ['SeriesNumber', 'Modality', 'SeriesDescription', 'BodyPartExamined', 'SeriesDate', 'NumberOfSeriesRelatedInstances', 'StudyInstanceUID', 'SeriesInstanceUID'], series)}`,
  });
}

export function seriesPage(brand: Branding, user: string, csrf: string, studyUid: string, series: Row, images: readonly Row[]): Html {
  return page({
    title: 'Series',
    brand,
    user,
    csrf,
    nav: 'search',
    body: html`<h1>Series ${series.SeriesNumber ?? ''} — ${series.SeriesDescription ?? ''} <span class="tag">${series.Modality ?? ''}</span></h1>
<p class="actions"><a class="btn" href="/download/studies/${enc(studyUid)}/series/${enc(series.SeriesInstanceUID ?? '')}">Download series (ZIP)</a><a class="btn ghost" href="/studies/${enc(studyUid)}">Back to study</a></p>
${resultsTable('image', ['InstanceNumber', 'SOPClassUID', 'Rows', 'Columns', 'StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'], images)}`,
  });
}
