/** The import page and its per-file result. */
import { html, type Html } from './html.ts';
import { page, type Branding } from './layout.ts';

export interface FileOutcome {
  name: string;
  size: number;
  accepted: boolean;
  reason: string | null;
  sopInstance: string | null;
}

export function uploadPage(brand: Branding, user: string, csrf: string, maxFiles: number, maxBytes: number, results: readonly FileOutcome[] | null, error: string | null): Html {
  const mb = Math.floor(maxBytes / (1024 * 1024));
  return page({
    title: 'Import',
    brand,
    user,
    csrf,
    nav: 'upload',
    body: html`<h1>Import DICOM files</h1>
${error ? html`<div class="alert err">${error}</div>` : ''}
${results
  ? html`<div class="card"><h2 class="first">Import result</h2><table class="grid"><thead><tr><th>File</th><th>Size</th><th>Status</th><th>Details</th></tr></thead><tbody>
${results.map((r) => html`<tr><td>${r.name}</td><td>${r.size.toLocaleString('en-US')} bytes</td><td>${r.accepted ? html`<span class="st-ok">Accepted</span>` : html`<span class="st-bad">Rejected</span>`}</td><td class="small">${r.accepted ? `Stored (SOP Instance ${r.sopInstance ?? ''}); pending reconciliation` : (r.reason ?? '')}</td></tr>`)}
</tbody></table></div>`
  : ''}
<div class="card"><form method="post" action="/upload" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${csrf}">
<div class="dropzone"><p><b>Select DICOM files (Part 10) to import into the archive</b></p><input type="file" name="files" multiple></div>
<p class="muted small">Up to ${maxFiles} files and ${mb} MB per import. Imported studies are checked by the PACS administrator before they appear in the worklist.</p>
<button class="btn" type="submit">Import</button>
</form></div>`,
  });
}
