/** The DICOM surface for `serve`: persona, archive, quarantine, services and listeners from the configuration. */
import type { Surface } from '../../app/context.ts';
import { join } from 'node:path';
import type { MoveDestination } from '../../core/config/parsers.ts';
import { dataPaths } from '../../core/storage/dataDir.ts';
import type { Archive } from '../../domain/archive/index.ts';
import type { Quarantine } from '../../domain/quarantine/quarantine.ts';
import { loadPersona, type Persona } from '../../domain/dicom/persona.ts';
import { echoService } from './services/echo.ts';
import { findService } from './services/find.ts';
import { getService, type InstanceResolver, type RetrieveHooks } from './services/get.ts';
import { moveService } from './services/move.ts';
import { ServiceRegistry } from './services/registry.ts';
import type { DimseService } from './services/service.ts';
import { PduRecordStore } from './record/recordStore.ts';
import { storeService } from './services/store.ts';
import { DimseListeners } from './server/listener.ts';

export interface DimseServiceDeps {
  archive: Archive;
  quarantine: Quarantine;
  persona: Persona;
  moveDestinations: readonly MoveDestination[];
  uploadsVisibleToUploader: boolean;
  hooks?: RetrieveHooks;
}

/** Resolves a C-GET/C-MOVE identifier against the archive (the persona caps how much one request selects). */
export function archiveResolver(archive: Archive, persona: Persona): InstanceResolver {
  return (req) =>
    archive
      .resolveInstances({ model: req.model, level: req.level, keys: req.keys, requesterIp: req.requesterIp, caseInsensitivePN: persona.query.caseInsensitivePN, limit: 10_000 })
      .instances.map((i) => ({ path: i.path, sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: i.transferSyntax, size: i.size, datasetOffset: i.datasetOffset }));
}

/** The services every association is offered, by SOP class (the persona decides which contexts are accepted). */
export function dimseServices(d?: DimseServiceDeps): DimseService[] {
  if (!d) return [echoService];
  const resolve = archiveResolver(d.archive, d.persona);
  return [
    echoService,
    findService(d.archive),
    getService(resolve, d.hooks),
    moveService(resolve, d.moveDestinations, d.hooks),
    storeService({
      quarantine: d.quarantine,
      onStored: d.uploadsVisibleToUploader
        ? (u) => void d.archive.addQuarantinedUpload({ ownerIp: u.srcIp, path: u.path, transferSyntax: u.transferSyntaxUid, sha256: u.sha256 })
        : undefined,
    }),
  ];
}

export const dimseSurface: Surface = {
  name: 'dimse',
  enabled: (config) => config.dicomPorts.length > 0,
  async start(ctx) {
    const c = ctx.config;
    const persona = loadPersona(c.dicomPersona);
    const { archive, quarantine, honeytokens } = await ctx.data();
    const record = c.dicomPduRecord
      ? new PduRecordStore(
          join(dataPaths(c.dataDir).root, 'pdu'),
          { maxBytesPerSession: c.dicomPduRecordMaxBytesPerSession, maxBytesPerIp: c.dicomPduRecordMaxBytesPerIp, maxBytesTotal: c.dicomPduRecordMaxBytesTotal },
          ctx.log,
        )
      : undefined;
    const hooks: RetrieveHooks = { onSent: (inst, _session, log) => void honeytokens.issue(inst.sopInstanceUid, log, (err) => ctx.log.error({ err }, 'honeytoken issue failed')) };
    const listeners = new DimseListeners({
      host: c.dicomHost,
      ports: c.dicomPorts,
      tls: c.dicomTlsCert && c.dicomTlsKey ? { port: c.dicomTlsPort, certFile: c.dicomTlsCert, keyFile: c.dicomTlsKey } : undefined,
      proxyProtocol: c.dicomProxyProtocol,
      persona,
      aeTitle: c.dicomAeTitle,
      limits: {
        maxConnections: c.dicomMaxConnections,
        maxConnectionsPerIp: c.dicomMaxConnectionsPerIp,
        artimMs: c.dicomArtimMs,
        idleMs: c.dicomIdleMs,
        lifetimeMs: c.dicomLifetimeMs,
        minBytesPerSec: c.dicomMinBytesPerSec,
        maxAssociateBytes: c.dicomMaxAssociateBytes,
        maxDatasetBytes: c.dicomMaxDatasetBytes,
      },
      services: new ServiceRegistry(
        dimseServices({ archive, quarantine, persona, moveDestinations: c.moveDestinations, uploadsVisibleToUploader: c.uploadsVisibleToUploader, hooks }),
      ),
      bus: ctx.bus,
      diag: ctx.log,
      record,
    });
    await listeners.start();
    ctx.log.info({ ports: listeners.boundPorts, persona: persona.name }, 'DICOM listeners started');
    return {
      name: 'dimse',
      async stop() {
        await listeners.stop();
        await record?.settled(); // the last sessions' records reach the disk
      },
    };
  },
};
