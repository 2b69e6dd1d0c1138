/** What every DICOMweb route handler needs: the decoy data, the settings, the session log of a request. */
import type { FastifyRequest } from 'fastify';
import type { DecoyData } from '../../app/decoyData.ts';
import type { Config } from '../../core/config/settings.ts';
import type { SessionLog } from '../../core/events/sessionLog.ts';

export interface DicomwebDeps {
  data: DecoyData;
  config: Config;
  /** The session log of the request (the portal binds session and the real client address). */
  logFor(req: FastifyRequest): SessionLog;
}

export interface RouteContext {
  readonly deps: DicomwebDeps;
  /** Mount point of the plugin (e.g. `/dicom-web`), for Retrieve URLs. */
  readonly prefix: string;
}

/** Base of the service as the client addressed it (Retrieve URLs point back at it). */
export function serviceBase(req: FastifyRequest, prefix: string): string {
  const host = typeof req.host === 'string' && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.host) ? req.host : 'localhost';
  return `${req.protocol}://${host}${prefix}`;
}

/** The requester's address as the session bound it (never a header). */
export function requesterIp(log: SessionLog): string | null {
  return log.identity.src_ip;
}
