/** The `dicomhawk` command line. */
import { Command } from 'commander';
import { VERSION } from '../app/version.ts';
import { registerConfig } from './commands/config.ts';
import { registerConsoleToken } from './commands/consoleToken.ts';
import { registerEvents } from './commands/events.ts';
import { registerHealthcheck } from './commands/healthcheck.ts';
import { registerImport } from './commands/import.ts';
import { registerPdus } from './commands/pdus.ts';
import { registerSeed } from './commands/seed.ts';
import { registerServe } from './commands/serve.ts';
import { registerTcia } from './commands/tcia.ts';
import { registerVerify } from './commands/verify.ts';

const program = new Command();
program
  .name('dicomhawk')
  .description('DICOMHawk: a DICOM honeypot (decoy PACS, decoy web portal, threat intelligence, live monitoring)')
  .version(VERSION)
  .option('-c, --config <file>', 'configuration file (default: ./dicomhawk.yaml when present); environment variables override it')
  .showHelpAfterError();

registerServe(program);
registerConfig(program);
registerConsoleToken(program);
registerEvents(program);
registerImport(program);
registerSeed(program);
registerTcia(program);
registerVerify(program);
registerHealthcheck(program);
registerPdus(program);

await program.parseAsync(process.argv);
