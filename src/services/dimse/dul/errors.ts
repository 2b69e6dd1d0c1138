/**
 * Typed failures of the DUL machine. Neither is ever swallowed: the machine hands each to its
 * `onError` callback or, without one, throws it from `handle()` once the event queue is drained.
 */
import type { DulActionName } from './stateTable.ts';
import type { DulState } from './states.ts';

/**
 * An event arrived in a state whose PS3.8 Table 9-10 cell is blank (or the event is not a DUL
 * event at all). The state is unchanged and nothing was sent.
 */
export class InvalidDulEventError extends Error {
  override readonly name = 'InvalidDulEventError';
  constructor(
    readonly state: DulState,
    readonly event: string,
    readonly reason: string,
  ) {
    super(`invalid DUL event ${event} in ${state}: ${reason}`);
  }
}

/**
 * An action or a hook failed: a port method threw, or the AE-6 policy hook threw or answered
 * something that is not a verdict. For a port failure the transition did not happen (the state is
 * `state`); for a policy failure AE-6 still completed with the fallback rejection.
 */
export class DulActionError extends Error {
  override readonly name = 'DulActionError';
  constructor(
    readonly state: DulState,
    readonly event: string,
    readonly action: DulActionName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`DUL action ${action} (${event} in ${state}): ${message}`, options);
  }
}
