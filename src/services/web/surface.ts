/** The decoy web portal (and DICOMweb under /dicom-web) for `serve`, on API_HOST:API_PORT. */
import type { Surface } from '../../app/context.ts';
import { buildWebApp } from './app.ts';

export const webSurface: Surface = {
  name: 'web',
  enabled: (config) => config.apiPort > 0,
  async start(ctx) {
    const data = await ctx.data();
    const web = await buildWebApp({ data, config: ctx.config, secrets: ctx.secrets, bus: ctx.bus, diag: ctx.log });
    await web.app.listen({ host: ctx.config.apiHost, port: ctx.config.apiPort });
    ctx.log.info({ host: ctx.config.apiHost, port: ctx.config.apiPort }, 'web portal started');
    return {
      name: 'web',
      async stop() {
        await web.close();
      },
    };
  },
};
