/** SOP class + command → service (a table, total over what the persona accepts; anything else is C.5.4). */
import { CommandField } from '../dimse/command.ts';
import type { DimseService } from './service.ts';

/** Which request each service takes. */
const COMMANDS: Readonly<Record<string, readonly number[]>> = {
  verification: [CommandField.C_ECHO_RQ],
  find: [CommandField.C_FIND_RQ],
  get: [CommandField.C_GET_RQ],
  move: [CommandField.C_MOVE_RQ],
  storage: [CommandField.C_STORE_RQ],
};

export class ServiceRegistry {
  constructor(private readonly services: readonly DimseService[]) {}

  find(sopClass: string, commandField: number): DimseService | null {
    for (const s of this.services) {
      const classes = s.sopClasses;
      const matches = typeof classes === 'function' ? classes(sopClass) : classes.includes(sopClass);
      if (matches && (COMMANDS[s.name] ?? []).includes(commandField)) return s;
    }
    return null;
  }
}
