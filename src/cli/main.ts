/** The `dicomhawk` command line. */
import { Command } from 'commander';
import { VERSION } from '../app/version.ts';
import { registerConfig } from './commands/config.ts';
import { registerEvents } from './commands/events.ts';
import { registerImport } from './commands/import.ts';
import { registerSeed } from './commands/seed.ts';
import { registerServe } from './commands/serve.ts';
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
registerEvents(program);
registerImport(program);
registerSeed(program);
registerVerify(program);

await program.parseAsync(process.argv);
