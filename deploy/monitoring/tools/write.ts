/**
 * Regenerates the generated monitoring files from the event catalogue and the Logstash pipeline:
 *   elasticsearch/index-template.json   (./template.ts)
 *   kibana/dicomhawk.ndjson             (./dashboard.ts)
 *
 *   npx tsx deploy/monitoring/tools/write.ts           write them
 *   npx tsx deploy/monitoring/tools/write.ts --check   exit 1 when they are out of date (the tests do the same)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboardNdjson } from './dashboard.ts';
import { parsePipeline } from './logstash/parse.ts';
import { indexTemplate } from './template.ts';

export const MONITORING_DIR = fileURLToPath(new URL('..', import.meta.url));
export const PIPELINE_FILE = `${MONITORING_DIR}logstash/pipeline/dicomhawk.conf`;
export const TEMPLATE_FILE = `${MONITORING_DIR}elasticsearch/index-template.json`;
export const ILM_FILE = `${MONITORING_DIR}elasticsearch/ilm-policy.json`;
export const NDJSON_FILE = `${MONITORING_DIR}kibana/dicomhawk.ndjson`;

export function generated(): Array<{ file: string; text: string }> {
  const pipeline = parsePipeline(readFileSync(PIPELINE_FILE, 'utf8'));
  return [
    { file: TEMPLATE_FILE, text: `${JSON.stringify(indexTemplate(pipeline), null, 2)}\n` },
    { file: NDJSON_FILE, text: dashboardNdjson() },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const g of generated()) {
    let current = '';
    try {
      current = readFileSync(g.file, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === g.text) continue;
    stale += 1;
    if (check) process.stderr.write(`out of date: ${g.file}\n`);
    else {
      writeFileSync(g.file, g.text);
      process.stdout.write(`wrote ${g.file}\n`);
    }
  }
  if (check && stale > 0) {
    process.stderr.write('run: npx tsx deploy/monitoring/tools/write.ts\n');
    process.exit(1);
  }
}
