/** Mounts the DICOMweb decoy (src/services/dicomweb/plugin.ts) under /dicom-web, handing it the request's SessionLog. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DecoyData } from '../../app/decoyData.ts';
import type { Config } from '../../core/config/settings.ts';
import type { SessionLog } from '../../core/events/sessionLog.ts';
import { dicomwebPlugin } from '../dicomweb/plugin.ts';

export interface DicomwebMountDeps {
  data: DecoyData;
  config: Config;
  logFor(req: FastifyRequest): SessionLog;
}

export async function mountDicomweb(app: FastifyInstance, deps: DicomwebMountDeps): Promise<void> {
  await app.register(dicomwebPlugin(deps), { prefix: '/dicom-web' });
}
