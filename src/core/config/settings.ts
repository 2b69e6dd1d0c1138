/**
 * Every setting DICOMHawk reads, once: its environment name (the seed's names are kept), aliases, parser,
 * default (as the text a user would write), whether it is a secret, and what it does. The README's
 * configuration table is checked against this list by a test, so the two cannot drift apart.
 */
import { hostname } from 'node:os';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { aeTitle, bool, byteSize, duration, httpUrl, int, moveDestinationList, oneOf, port, portList, rateLimits, redisUrl, stringList, text } from './parsers.ts';

export interface Setting<T = unknown> {
  /** Environment variable (and key in dicomhawk.yaml). */
  readonly env: string;
  /** Older names accepted for the same setting; the canonical name wins when both are set. */
  readonly aliases?: readonly string[];
  readonly parse: z.ZodType<T, string>;
  /** Default as text, or a function of the environment computed at load time; undefined = unset. */
  readonly default?: string | (() => string);
  readonly secret?: boolean;
  readonly group: 'general' | 'dicom' | 'web' | 'console' | 'events' | 'data' | 'tcia' | 'intel';
  readonly doc: string;
}

function setting<T, const D extends string | (() => string) | undefined = undefined>(s: Setting<T> & { default?: D }): Setting<T> & { default: D } {
  return s as Setting<T> & { default: D };
}

/** A number in [min, max] (decimal, e.g. 0.3). */
function fraction(min: number, max: number, openMin = false) {
  return z.string().transform((raw, ctx) => {
    const v = raw.trim();
    const n = /^(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n) || n > max || (openMin ? n <= min : n < min)) {
      ctx.addIssue({ code: 'custom', message: `expected a number ${openMin ? 'above' : 'from'} ${min} ${openMin ? 'up to' : 'to'} ${max} (e.g. 0.5)` });
      return z.NEVER;
    }
    return n;
  });
}

/** An IP address or a CIDR block (`10.0.0.0/8`, `::1`). */
const ipOrCidr = z.string().refine((v) => ipaddr.isValid(v) || (() => { try { ipaddr.parseCIDR(v); return true; } catch { return false; } })(), { message: 'expected an IP address or CIDR (e.g. 10.0.0.0/8)' });

/** A count (`2`) or an inclusive range (`1-3`) of whole numbers from min to max: a number or [lo, hi]. */
function countOrRange(min: number, max: number) {
  return z.string().transform((raw, ctx): number | readonly [number, number] => {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(raw.trim());
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < min || hi > max || hi < lo) {
      ctx.addIssue({ code: 'custom', message: `expected a whole number or a range min-max from ${min} to ${max} (e.g. 2 or 1-3)` });
      return z.NEVER;
    }
    return m[2] === undefined ? lo : ([lo, hi] as const);
  });
}

export const SETTINGS = {
  prod: setting({ env: 'PROD', parse: bool, default: 'no', group: 'general', doc: 'Production mode: hides stack traces and debug detail from every surface and turns off the stdout event sink.' }),
  dataDir: setting({ env: 'DATA_DIR', parse: text, default: './data', group: 'general', doc: 'Where the database, logs, archive, quarantine, spool and generated secrets live.' }),
  sensorName: setting({ env: 'SENSOR_NAME', parse: text, default: () => hostname(), group: 'general', doc: 'Name of this sensor in every event (default: the host name).' }),
  logLevel: setting({ env: 'LOG_LEVEL', parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const), default: 'info', group: 'general', doc: 'Level of the diagnostic log (stderr), never mixed with attacker events.' }),

  dicomPorts: setting({ env: 'DICOM_PORT', parse: portList, default: '11112', group: 'dicom', doc: 'DICOM listener port(s), e.g. 104,11112.' }),
  dicomHost: setting({ env: 'DICOM_SERVER_HOST', parse: text, default: '0.0.0.0', group: 'dicom', doc: 'Address the DICOM listeners bind to.' }),
  dicomPersona: setting({ env: 'DICOM_PERSONA', parse: text, default: 'hospital-pacs', group: 'dicom', doc: 'Identity on the wire: a shipped persona (hospital-pacs, dcm4chee-arc) or a path to a persona JSON file.' }),
  dicomTlsPort: setting({ env: 'DICOM_TLS_PORT', parse: port, default: '2762', group: 'dicom', doc: 'DICOM-over-TLS listener port (only when DICOM_TLS_CERT and DICOM_TLS_KEY are set).' }),
  dicomTlsCert: setting({ env: 'DICOM_TLS_CERT', parse: text, group: 'dicom', doc: 'PEM certificate file for the DICOM-TLS listener.' }),
  dicomTlsKey: setting({ env: 'DICOM_TLS_KEY', parse: text, secret: true, group: 'dicom', doc: 'PEM private key file for the DICOM-TLS listener.' }),
  dicomProxyProtocol: setting({ env: 'DICOM_PROXY_PROTOCOL', parse: bool, default: 'no', group: 'dicom', doc: 'Expect a PROXY protocol v2 header on every DICOM connection (sensor behind a load balancer) and log the real client.' }),
  dicomArtimMs: setting({ env: 'DICOM_ASSOCIATE_TIMEOUT_MS', parse: int(100, 600_000), default: '10000', group: 'dicom', doc: 'A complete A-ASSOCIATE-RQ must arrive within this time of connecting (ARTIM).' }),
  dicomIdleMs: setting({ env: 'DICOM_IDLE_TIMEOUT_MS', parse: int(100, 3_600_000), default: '60000', group: 'dicom', doc: 'An association with no PDU for this long is closed.' }),
  dicomLifetimeMs: setting({ env: 'DICOM_MAX_LIFETIME_MS', parse: int(1000, 86_400_000), default: '900000', group: 'dicom', doc: 'Maximum lifetime of one connection.' }),
  dicomMinBytesPerSec: setting({ env: 'DICOM_MIN_BYTES_PER_SEC', parse: int(0, 1_000_000_000), default: '64', group: 'dicom', doc: 'A connection whose average inbound rate over 10 s windows falls below this while a PDU is incomplete is cut (slowloris).' }),
  dicomMaxConnections: setting({ env: 'DICOM_MAX_CONNECTIONS', parse: int(1, 100_000), default: '512', group: 'dicom', doc: 'Concurrent DICOM connections overall.' }),
  dicomMaxConnectionsPerIp: setting({ env: 'DICOM_MAX_CONNECTIONS_PER_IP', parse: int(1, 100_000), default: '32', group: 'dicom', doc: 'Concurrent DICOM connections from one source address.' }),
  dicomMaxAssociateBytes: setting({ env: 'DICOM_MAX_ASSOCIATE_BYTES', parse: byteSize(1024, 1024 ** 2), default: '64K', group: 'dicom', doc: 'Largest A-ASSOCIATE-RQ accepted.' }),
  dicomMaxDatasetBytes: setting({ env: 'DICOM_MAX_DATASET_BYTES', parse: byteSize(1024, 4 * 1024 ** 3), default: '256M', group: 'dicom', doc: 'Largest dataset (e.g. one C-STORE object) accepted on one association.' }),
  dicomPduRecord: setting({ env: 'DICOM_PDU_RECORD', parse: bool, default: 'yes', group: 'dicom', doc: 'Keep every PDU of every DICOM session, raw with timestamps, in rotating pcapng files DATA_DIR/pdu/<yyyy-mm-dd>/*.pcapng (Wireshark opens them; each packet names its session; `dicomhawk pdus <session>` lists one).' }),
  dicomPduRecordMaxBytesPerSession: setting({ env: 'DICOM_PDU_RECORD_MAX_BYTES_PER_SESSION', parse: byteSize(1024, 4 * 1024 ** 3), default: '2M', group: 'dicom', doc: 'Largest PDU record of one session; the PDU that passes it is kept cut and ends the record (truncated: true in session.closed).' }),
  dicomPduRecordMaxBytesPerIp: setting({ env: 'DICOM_PDU_RECORD_MAX_BYTES_PER_IP', parse: byteSize(1024, 1024 ** 4), default: '64M', group: 'dicom', doc: 'PDU record bytes kept for one source address per UTC day.' }),
  dicomPduRecordMaxBytesTotal: setting({ env: 'DICOM_PDU_RECORD_MAX_BYTES_TOTAL', parse: byteSize(1024 ** 2, 16 * 1024 ** 4), default: '2G', group: 'dicom', doc: 'Total size of DATA_DIR/pdu; the oldest records are deleted first to stay under it.' }),
  moveDestinations: setting({ env: 'MOVE_DESTINATIONS', parse: moveDestinationList, default: '', group: 'dicom', doc: 'C-MOVE destinations the honeypot will really send to, as AE=host:port,… (empty: every destination is unknown, 0xA801). Never an address an attacker chose.' }),
  quarantineMaxBytesPerIp: setting({ env: 'QUARANTINE_MAX_BYTES_PER_IP', parse: byteSize(0, 1024 ** 4), default: '200M', group: 'data', doc: 'Upload quota per source address (C-STORE, STOW-RS, web upload); past it uploads fail with 0xA700 / HTTP 507.' }),
  quarantineMaxBytes: setting({ env: 'QUARANTINE_MAX_BYTES', parse: byteSize(0, 16 * 1024 ** 4), default: '5G', group: 'data', doc: 'Total size of DATA_DIR/quarantine.' }),
  uploadsVisibleToUploader: setting({ env: 'UPLOADS_VISIBLE_TO_UPLOADER', parse: bool, default: 'yes', group: 'data', doc: 'An uploader sees its own uploads in its later queries from the same address (a PACS that forgets what you stored is a tell); never anyone else.' }),
  dicomAeTitle: setting({ env: 'DICOM_AE_TITLE', parse: aeTitle, default: 'PACS', group: 'dicom', doc: "The honeypot's own AE title (RetrieveAETitle, C-MOVE originator); any called AE title is accepted." }),

  apiPort: setting({ env: 'API_PORT', parse: port, default: '3000', group: 'web', doc: 'Port of the decoy web portal and DICOMweb decoy.' }),
  apiHost: setting({ env: 'API_HOST', parse: text, default: '0.0.0.0', group: 'web', doc: 'Address the decoy web portal binds to.' }),
  apiTrustedProxies: setting({ env: 'API_TRUSTED_PROXIES', parse: stringList(ipOrCidr), default: '', group: 'web', doc: 'Reverse proxies (addresses or CIDRs) whose X-Forwarded-For the portal believes; empty: the TCP peer is the client and X-Forwarded-For is only logged as sent.' }),
  apiSessionIdleMs: setting({ env: 'API_SESSION_IDLE', parse: duration(10_000, 86_400_000), default: '30m', group: 'web', doc: 'A portal session unused for this long is closed (its cookie then leads back to the sign-in page).' }),
  apiMaxSessionsPerIp: setting({ env: 'API_MAX_SESSIONS_PER_IP', parse: int(1, 10_000), default: '32', group: 'web', doc: 'Portal sessions kept per source address; the oldest is closed when a new one starts.' }),
  apiMaxConnectionsPerIp: setting({ env: 'API_MAX_CONNECTIONS_PER_IP', parse: int(1, 100_000), default: '64', group: 'web', doc: 'Concurrent HTTP connections from one source address (more are closed at once).' }),
  apiLoginMaxFailures: setting({ env: 'API_LOGIN_MAX_FAILURES', parse: int(1, 1000), default: '5', group: 'web', doc: 'Failed sign-ins for one user name from one address before it is locked out (an address alone: four times as many).' }),
  apiLoginLockoutMs: setting({ env: 'API_LOGIN_LOCKOUT', parse: duration(1000, 86_400_000), default: '15m', group: 'web', doc: 'How long a sign-in lockout lasts (answered 429 with a lockout page; attempts are still recorded).' }),
  apiUploadMaxBytes: setting({ env: 'API_UPLOAD_MAX_BYTES', parse: byteSize(1024, 4 * 1024 ** 3), default: '64M', group: 'web', doc: 'Largest upload request (all files together) on the portal; larger ones are answered 413.' }),
  apiUploadMaxFiles: setting({ env: 'API_UPLOAD_MAX_FILES', parse: int(1, 1000), default: '20', group: 'web', doc: 'Files in one portal upload request.' }),
  apiDownloadMaxBytes: setting({ env: 'API_DOWNLOAD_MAX_BYTES', parse: byteSize(1024, 64 * 1024 ** 3), default: '2G', group: 'web', doc: 'Largest series or study ZIP the portal streams (instances past it are left out).' }),
  apiMaxTransfersPerIp: setting({ env: 'API_MAX_TRANSFERS_PER_IP', parse: int(1, 1000), default: '2', group: 'web', doc: 'Concurrent portal downloads or uploads from one source address (more are answered 429).' }),
  dicomwebAuth: setting({ env: 'DICOMWEB_AUTH', parse: oneOf(['none', 'basic', 'bearer'] as const), default: 'none', group: 'web', doc: 'HTTP authentication the DICOMweb decoy asks for: none, basic or bearer (every attempt is logged with what was sent).' }),
  dicomwebCredentials: setting({ env: 'DICOMWEB_CREDENTIALS', parse: stringList(), default: 'test:test', group: 'web', doc: 'What DICOMWEB_AUTH accepts: user:password pairs (basic) or tokens (bearer), comma-separated; * accepts any attempt.' }),
  dicomwebMaxRequestBytes: setting({ env: 'DICOMWEB_MAX_REQUEST_BYTES', parse: byteSize(1024, 4 * 1024 ** 3), default: '256M', group: 'web', doc: 'Largest STOW-RS request body (HTTP 413 past it).' }),
  dicomwebMaxInstances: setting({ env: 'DICOMWEB_MAX_INSTANCES', parse: int(1, 1_000_000), default: '1000', group: 'web', doc: 'Most instances in one STOW-RS request (HTTP 413 past it) and in one WADO-RS response.' }),
  dicomwebMaxResults: setting({ env: 'DICOMWEB_MAX_RESULTS', parse: int(1, 1_000_000), default: '1000', group: 'web', doc: 'Most QIDO-RS results in one response (more: a Warning header; page with limit/offset).' }),
  honeyUrl: setting({ env: 'HONEY_URL', parse: httpUrl, group: 'data', doc: "Base of honey URLs written into decoy objects (default: the portal's own /t/<token> tracking endpoint)." }),
  honeytokenShare: setting({ env: 'HONEYTOKEN_SHARE', parse: fraction(0, 1), default: '0.3', group: 'data', doc: 'Share of the seeded studies that carry honeytokens (a canary PDF report, and a honey URL in the first image of each series), and of the series of each TCIA set whose first object carries a honey URL; 0: none.' }),
  canaryPdf: setting({ env: 'CANARY_PDF', parse: text, group: 'data', doc: 'PDF embedded as-is in the canary report objects (e.g. a canarytokens.org PDF); unset: a generated Danish referral letter linking to `HONEY_URL/<token>`.' }),

  consoleEnabled: setting({ env: 'CONSOLE_ENABLED', aliases: ['FLASK_ACTIVATED'], parse: bool, default: 'yes', group: 'console', doc: 'Run the operator console (FLASK_ACTIVATED is the seed\'s name for it).' }),
  consolePort: setting({ env: 'CONSOLE_PORT', parse: port, default: '5000', group: 'console', doc: 'Operator console port.' }),
  consoleHost: setting({ env: 'CONSOLE_HOST', parse: text, default: '127.0.0.1', group: 'console', doc: 'Operator console address (loopback by default; it is never an attacker surface).' }),

  blockScanners: setting({ env: 'BLOCK_SCANNERS', parse: bool, default: 'no', group: 'intel', doc: 'Drop traffic from known mass scanners in the kernel (nftables, or ipset + iptables), on the honeypot ports only.' }),
  blockScannersBackend: setting({ env: 'BLOCK_SCANNERS_BACKEND', parse: oneOf(['auto', 'nftables', 'ipset'] as const), default: 'auto', group: 'intel', doc: 'Kernel tool of BLOCK_SCANNERS: nftables, ipset (ipset + iptables/ip6tables), or auto (nftables when the nft command is there, else ipset).' }),
  integrityCheck: setting({ env: 'INTEGRITY_CHECK', parse: bool, default: 'no', group: 'data', doc: 'Watch the decoy archive with a SHA-256 manifest and report changes.' }),
  integrityInterval: setting({ env: 'INTEGRITY_INTERVAL', parse: duration(10_000, 7 * 86_400_000), default: '10m', group: 'data', doc: 'How often the integrity check runs (with INTEGRITY_CHECK=yes).' }),
  integrityRestore: setting({ env: 'INTEGRITY_RESTORE', parse: bool, default: 'yes', group: 'data', doc: 'Restore modified or deleted decoy files from the pristine copy in DATA_DIR/pristine (added files are only reported).' }),
  modalities: setting({ env: 'MODALITIES', parse: stringList(), default: 'CT,MR,US,DX', group: 'data', doc: 'Modalities of the decoy studies: a JSON list or a comma list.' }),
  seedPatients: setting({ env: 'SEED_PATIENTS', parse: int(0, 100_000), default: '12', group: 'data', doc: 'Patients generated when `serve` finds the archive empty (0: never seed automatically); the default of `dicomhawk seed --patients`.' }),
  seedStudies: setting({ env: 'SEED_STUDIES', parse: countOrRange(1, 100), default: '1-2', group: 'data', doc: 'Studies per seeded patient: a count or a range min-max.' }),
  seedScale: setting({ env: 'SEED_SCALE', parse: fraction(0, 1, true), default: '0.5', group: 'data', doc: 'Size of seeded images and series (1: clinical matrix sizes and slice counts; 0.5: half, about 20 s for the default archive on two cores).' }),

  tciaActivated: setting({ env: 'TCIA_ACTIVATED', parse: bool, default: 'no', group: 'tcia', doc: 'Serve real studies from The Cancer Imaging Archive and rotate them periodically.' }),
  tciaUserName: setting({ env: 'TCIA_USER_NAME', parse: text, group: 'tcia', doc: 'TCIA account (optional: public collections need none).' }),
  tciaPassword: setting({ env: 'TCIA_PASSWORD', parse: text, secret: true, group: 'tcia', doc: 'TCIA password.' }),
  tciaPeriodUnit: setting({ env: 'TCIA_PERIOD_UNIT', parse: oneOf(['minutes', 'hour', 'day', 'week'] as const), default: 'week', group: 'tcia', doc: 'Unit of the rotation period: minutes, hour, day or week.' }),
  tciaPeriod: setting({ env: 'TCIA_PERIOD', parse: int(1, 10000), default: '1', group: 'tcia', doc: 'Rotation period, in TCIA_PERIOD_UNIT.' }),
  tciaMinFiles: setting({ env: 'MINIMUM_TCIA_FILES_IN_SERIE', parse: int(1, 100000), default: '5', group: 'tcia', doc: 'Smallest series (image count) taken from TCIA.' }),
  tciaMaxFiles: setting({ env: 'MAXIMUM_TCIA_FILES_IN_SERIE', parse: int(1, 100000), default: '100', group: 'tcia', doc: 'Largest series (image count) taken from TCIA.' }),
  tciaApiUrl: setting({ env: 'TCIA_API_URL', parse: httpUrl, default: 'https://services.cancerimagingarchive.net/nbia-api', group: 'tcia', doc: 'NBIA API root: `oauth/token` and `services/v1|v2/...` live under it.' }),
  tciaCollections: setting({ env: 'TCIA_COLLECTIONS', parse: stringList(), group: 'tcia', doc: 'Only take series from these collections (JSON or comma list; default: any collection).' }),
  tciaStudiesPerModality: setting({ env: 'TCIA_STUDIES_PER_MODALITY', parse: int(1, 1000), default: '2', group: 'tcia', doc: 'Studies fetched per modality of MODALITIES in each rotation (the budget).' }),
  tciaSeriesPerStudy: setting({ env: 'TCIA_SERIES_PER_STUDY', parse: int(1, 100), default: '2', group: 'tcia', doc: 'Most series taken from one study.' }),
  tciaConcurrency: setting({ env: 'TCIA_CONCURRENCY', parse: int(1, 16), default: '2', group: 'tcia', doc: 'Series downloaded at the same time.' }),
  tciaTimeoutMs: setting({ env: 'TCIA_TIMEOUT', parse: duration(1000, 3_600_000), default: '60s', group: 'tcia', doc: 'A TCIA request fails when no byte arrives for this long.' }),
  tciaRetries: setting({ env: 'TCIA_RETRIES', parse: int(0, 10), default: '3', group: 'tcia', doc: 'Retries of a failed TCIA request (exponential backoff from 1 s).' }),
  tciaMaxSeriesBytes: setting({ env: 'TCIA_MAX_SERIES_BYTES', parse: byteSize(1024, 64 * 1024 ** 3), default: '2G', group: 'tcia', doc: 'Largest series download (ZIP) and largest total of its unpacked files.' }),

  abuseIpApiKey: setting({ env: 'ABUSE_IP_API_KEY', parse: text, secret: true, group: 'intel', doc: 'AbuseIPDB API key (enables AbuseIPDB lookups).' }),
  ipQualityScoreApiKey: setting({ env: 'IP_QUALITY_SCORE_API_KEY', parse: text, secret: true, group: 'intel', doc: 'IPQualityScore API key (enables IPQS lookups).' }),
  virusTotalApiKey: setting({ env: 'VIRUS_TOTAL_API_KEY', parse: text, secret: true, group: 'intel', doc: 'VirusTotal API key (enables VirusTotal lookups).' }),

  eventsSqlite: setting({ env: 'EVENTS_SQLITE', parse: bool, default: 'yes', group: 'events', doc: 'Write events to DATA_DIR/dicomhawk.db (the console reads it).' }),
  eventsJsonl: setting({ env: 'EVENTS_JSONL', parse: bool, default: 'yes', group: 'events', doc: 'Write events to DATA_DIR/logs/events.jsonl.' }),
  jsonlMaxBytes: setting({ env: 'EVENTS_JSONL_MAX_BYTES', parse: byteSize(4096, 1024 ** 4), default: '100M', group: 'events', doc: 'Size at which events.jsonl is rotated.' }),
  jsonlKeep: setting({ env: 'EVENTS_JSONL_KEEP', parse: int(0, 1000), default: '10', group: 'events', doc: 'How many rotated events.jsonl.N files are kept.' }),
  eventsStdout: setting({ env: 'EVENTS_STDOUT', parse: bool, group: 'events', doc: 'Print events as JSON lines on stdout (default: on unless PROD).' }),
  redisUrl: setting({ env: 'REDIS_URL', parse: redisUrl, secret: true, group: 'events', doc: 'Redis to stage events for Logstash (unset: no Redis sink). rediss:// for TLS.' }),
  redisKey: setting({ env: 'REDIS_KEY', parse: text, default: 'dicomhawk:events', group: 'events', doc: 'Redis list the events are pushed to (Logstash redis input, data_type => list).' }),
  eventsFlushMs: setting({ env: 'EVENTS_FLUSH_MS', parse: int(0, 10_000), default: '20', group: 'events', doc: 'Group-commit window: events arriving within it are written by each sink together (0 = write at once).' }),
  sinkQueueLimit: setting({ env: 'EVENTS_QUEUE_LIMIT', parse: int(100, 10_000_000), default: '100000', group: 'events', doc: 'Events each sink may hold in memory before it spools (Redis) or drops and counts (others).' }),
  webhookUrl: setting({ env: 'WEBHOOK_URL', parse: httpUrl, secret: true, group: 'events', doc: 'Alerts are POSTed to this URL (generic JSON, or Slack incoming-webhook format with WEBHOOK_FORMAT=slack); unset: no alerts.' }),
  webhookSecret: setting({ env: 'WEBHOOK_SECRET', parse: text, secret: true, group: 'events', doc: 'HMAC-SHA256 key of the X-DICOMHawk-Signature header (unset: generated once into DATA_DIR/webhook.secret, mode 0600).' }),
  webhookEvents: setting({ env: 'WEBHOOK_EVENTS', parse: stringList(z.enum(['honeytoken_triggered', 'honey_credential_login', 'executable_upload', 'move_unknown_ae', 'new_client_fingerprint'])), default: 'honeytoken_triggered,honey_credential_login,executable_upload,move_unknown_ae,new_client_fingerprint', group: 'events', doc: 'Which alerts are sent: honeytoken_triggered, honey_credential_login (honey or leaked credentials accepted), executable_upload, move_unknown_ae (C-MOVE to an AE not in MOVE_DESTINATIONS), new_client_fingerprint.' }),
  webhookRateLimit: setting({ env: 'WEBHOOK_RATE_LIMIT', parse: rateLimits, default: '30/min,500/day', group: 'events', doc: 'Alerts sent at most at this rate (e.g. 30/min,500/day); alerts over it are counted and the count rides on the next alert sent.' }),
  webhookDedupWindowMs: setting({ env: 'WEBHOOK_DEDUP_WINDOW', parse: duration(0, 30 * 86_400_000), default: '1h', group: 'events', doc: 'The same alert (same kind and subject, e.g. one honeytoken from one address) is sent once within this window.' }),
  webhookFormat: setting({ env: 'WEBHOOK_FORMAT', parse: oneOf(['json', 'slack'] as const), default: 'json', group: 'events', doc: 'Body of an alert: json (the alert and its event) or slack (text and blocks for a Slack incoming webhook; the signature header is sent either way).' }),
  webhookTimeoutMs: setting({ env: 'WEBHOOK_TIMEOUT', parse: duration(500, 120_000), default: '5s', group: 'events', doc: 'Timeout of one alert delivery (retried twice with backoff, then dropped and counted).' }),

  abuseIpdbUrl: setting({ env: 'ABUSEIPDB_URL', parse: httpUrl, default: 'https://api.abuseipdb.com', group: 'intel', doc: 'Base URL of the AbuseIPDB API (APIv2 check endpoint).' }),
  ipqsUrl: setting({ env: 'IPQS_URL', parse: httpUrl, default: 'https://ipqualityscore.com', group: 'intel', doc: 'Base URL of the IPQualityScore API (IP reputation endpoint).' }),
  virusTotalUrl: setting({ env: 'VIRUSTOTAL_URL', parse: httpUrl, default: 'https://www.virustotal.com', group: 'intel', doc: 'Base URL of the VirusTotal API (v3 IP address report).' }),
  abuseIpdbRateLimit: setting({ env: 'ABUSEIPDB_RATE_LIMIT', parse: rateLimits, default: '1000/day', group: 'intel', doc: 'AbuseIPDB lookups allowed (free tier: 1000/day); a comma list such as 4/min,500/day must all have room.' }),
  ipqsRateLimit: setting({ env: 'IPQS_RATE_LIMIT', parse: rateLimits, default: '160/day', group: 'intel', doc: 'IPQualityScore lookups allowed (free tier: 5000/month, spread as 160/day).' }),
  virusTotalRateLimit: setting({ env: 'VIRUSTOTAL_RATE_LIMIT', parse: rateLimits, default: '4/min,500/day', group: 'intel', doc: 'VirusTotal lookups allowed (free tier: 4/min and 500/day).' }),
  intelLookupPrivate: setting({ env: 'INTEL_LOOKUP_PRIVATE', parse: bool, default: 'no', group: 'intel', doc: 'Also look up private, loopback, link-local, CGNAT and reserved (documentation) addresses (lab use).' }),
  intelCacheTtlMs: setting({ env: 'INTEL_CACHE_TTL', parse: duration(60_000, 365 * 86_400_000), default: '24h', group: 'intel', doc: 'How long a reputation answer is reused for the same address (cached in DATA_DIR/dicomhawk.db).' }),
  intelFailureTtlMs: setting({ env: 'INTEL_FAILURE_TTL', parse: duration(1000, 7 * 86_400_000), default: '10m', group: 'intel', doc: 'How long a failed lookup (error, timeout) is remembered before the address is asked again.' }),
  intelTimeoutMs: setting({ env: 'INTEL_TIMEOUT', parse: duration(500, 120_000), default: '10s', group: 'intel', doc: 'Timeout of one reputation request (retried with backoff up to 3 times).' }),
  geoipDb: setting({ env: 'GEOIP_DB', parse: text, group: 'intel', doc: 'MaxMind-format .mmdb file(s), comma-separated (GeoLite2 City/Country/ASN, ip-location-db); unset: the country database shipped with DICOMHawk; off: no GeoIP.' }),
  scannerLists: setting({ env: 'SCANNER_LISTS', parse: stringList(), default: 'builtin', group: 'intel', doc: "Mass-scanner lists in Maltrail's format (address or CIDR, optional # name): builtin (the vendored Maltrail list), file paths, or none." }),
  scannerListUrls: setting({ env: 'SCANNER_LIST_URL', parse: stringList(httpUrl), group: 'intel', doc: 'Extra scanner list(s) fetched over HTTP(S) at start and every SCANNER_LIST_REFRESH; the last good copy is kept in DATA_DIR/scanners.' }),
  scannerListRefreshMs: setting({ env: 'SCANNER_LIST_REFRESH', parse: duration(60_000, 30 * 86_400_000), default: '24h', group: 'intel', doc: 'How often the scanner lists are re-read (files) and re-fetched (URLs); a changed list is re-applied to the blackhole atomically.' }),
  scannerRdns: setting({ env: 'SCANNER_RDNS', parse: bool, default: 'yes', group: 'intel', doc: 'Tag sources whose forward-confirmed reverse DNS is a known research scanner (Shodan, Censys …); tagging only, never blocking.' }),
} as const;

export type SettingKey = keyof typeof SETTINGS;
type Out<S> = S extends Setting<infer T> ? T : never;
type HasDefault<K extends SettingKey> = (typeof SETTINGS)[K]['default'] extends undefined ? false : true;
type Required = { [K in SettingKey as HasDefault<K> extends true ? K : never]: Out<(typeof SETTINGS)[K]> };
type Optional = { [K in SettingKey as HasDefault<K> extends true ? never : K]?: Out<(typeof SETTINGS)[K]> };
/** The effective configuration: settings with a default are always present; others may be undefined. */
export type Config = Required & Optional;
