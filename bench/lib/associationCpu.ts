/**
 * In-process probe of the DICOM layer's own cost per association (no child process, no sinks): N C-ECHO
 * associations against DimseListeners on loopback, driven by the bench SCU in the same process, reporting
 * process CPU per association (client + server, so compare runs, not absolute values). Used to see what a
 * change on the association path costs without the machine's load drowning it:
 *   npx tsx bench/lib/associationCpu.ts [associations=3000] [record=yes|no]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/core/events/bus.ts';
import { silentLogger } from '../../src/core/log.ts';
import { loadPersona } from '../../src/domain/dicom/persona.ts';
import { PduRecordStore } from '../../src/services/dimse/record/recordStore.ts';
import { DimseListeners } from '../../src/services/dimse/server/listener.ts';
import { ServiceRegistry } from '../../src/services/dimse/services/registry.ts';
import { dimseServices } from '../../src/services/dimse/surface.ts';
import { oneAssociation } from './echoScu.ts';

const n = Number(process.argv[2] ?? 3000);
const recordOn = (process.argv[3] ?? 'yes') === 'yes';
const dir = mkdtempSync(join(tmpdir(), 'dh-assoc-cpu-'));
const bus = new EventBus({ sensor: 'probe', log: silentLogger() });
const record = recordOn ? new PduRecordStore(join(dir, 'pdu'), { maxBytesPerSession: 2 << 20, maxBytesPerIp: 1 << 30, maxBytesTotal: 1 << 30 }) : undefined;
const listeners = new DimseListeners({
  host: '127.0.0.1',
  ports: [0],
  proxyProtocol: false,
  persona: loadPersona('hospital-pacs'),
  aeTitle: 'PACS',
  limits: { maxConnections: 512, maxConnectionsPerIp: 512, artimMs: 10_000, idleMs: 60_000, lifetimeMs: 900_000, minBytesPerSec: 64, maxAssociateBytes: 65536, maxDatasetBytes: 1 << 28 },
  services: new ServiceRegistry(dimseServices()),
  bus,
  diag: silentLogger(),
  record,
});
await listeners.start();
const port = listeners.boundPorts[0]!;
for (let i = 0; i < 500; i += 1) await oneAssociation(port); // warm-up
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < n; i += 1) await oneAssociation(port);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await record?.settled();
console.log(`record=${recordOn ? 'yes' : 'no'} associations=${n} cpu/assoc=${((cpu.user + cpu.system) / n).toFixed(0)} µs (user ${(cpu.user / n).toFixed(0)}, sys ${(cpu.system / n).toFixed(0)}) rate=${((n / ms) * 1000).toFixed(0)}/s`);
await listeners.stop();
await bus.stop();
rmSync(dir, { recursive: true, force: true });
