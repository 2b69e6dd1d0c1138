/** The DICOM surface for `serve`: persona, services and listeners from the configuration. */
import type { Surface } from '../../app/context.ts';
import { loadPersona } from './persona/persona.ts';
import { echoService } from './services/echo.ts';
import { ServiceRegistry } from './services/registry.ts';
import type { DimseService } from './services/service.ts';
import { DimseListeners } from './server/listener.ts';

/** The services every association is offered, by SOP class (the persona decides which contexts are accepted). */
export function dimseServices(): DimseService[] {
  return [echoService];
}

export const dimseSurface: Surface = {
  name: 'dimse',
  enabled: (config) => config.dicomPorts.length > 0,
  async start(ctx) {
    const c = ctx.config;
    const persona = loadPersona(c.dicomPersona);
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
      services: new ServiceRegistry(dimseServices()),
      bus: ctx.bus,
      diag: ctx.log,
    });
    await listeners.start();
    ctx.log.info({ ports: listeners.boundPorts, persona: persona.name }, 'DICOM listeners started');
    return { name: 'dimse', stop: () => listeners.stop() };
  },
};
