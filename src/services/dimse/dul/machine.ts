/**
 * The DICOM Upper Layer protocol state machine, PS3.8 §9.2: one per transport connection.
 *
 * `handle(event, payload)` queues the event and, unless the machine is already working through its
 * queue, processes the queue in order: look the (state, event) cell up in Table 9-10
 * (`DUL_STATE_TABLE`, plus `HAWK_STATE_TABLE` for the honeypot's `Evt18T`), run the named action,
 * move to the state it returns, and announce the transition. An action that — through the port —
 * raises another event (the upper layer answering an indication synchronously, say) only queues it:
 * it runs after the current action has finished and the state has moved.
 *
 * Failures are never silent. A blank cell (`InvalidDulEventError`) or a failing port
 * (`DulActionError`) leaves the state as it was; a failing policy hook is reported while AE-6 still
 * completes with the fallback rejection. Each is given to `onError`, or, without one, thrown from
 * the outermost `handle()` after the queue has been drained (several at once: an `AggregateError`).
 */
import { DUL_ACTIONS, type DulActionContext } from './actions.ts';
import { FALLBACK_REJECTION, type AssociateRejection } from './constants.ts';
import { DulActionError, InvalidDulEventError } from './errors.ts';
import type { DulInput, DulMachineEvent, DulPayloadArgs, DulPayloadTypes } from './events.ts';
import type { DulPort, DulRole } from './port.ts';
import { lookupAction, noActionReason, type DulActionName } from './stateTable.ts';
import type { DulState } from './states.ts';

/** One step of the machine, for diagnostics, event emission and tests. */
export interface DulTransition {
  readonly from: DulState;
  readonly event: DulMachineEvent;
  readonly action: DulActionName;
  readonly to: DulState;
}

export interface DulMachineOptions<T extends DulPayloadTypes = DulPayloadTypes> {
  /** Where the actions act: the socket layer's implementation. */
  readonly port: DulPort<T>;
  /** Which end this machine is; decides AR-8's next state. Default `'acceptor'` (the SCP). */
  readonly role?: DulRole;
  /** Called after every transition (state already moved). A throw is reported, not propagated mid-queue. */
  readonly onTransition?: (transition: DulTransition) => void;
  /** Receives every `InvalidDulEventError` and `DulActionError`; without it `handle()` throws them. */
  readonly onError?: (error: Error) => void;
  /** What AE-6/AE-8 send when the policy's answer is unusable. Default `FALLBACK_REJECTION`. */
  readonly fallbackRejection?: AssociateRejection;
}

/** The machine's `DulActionContext`: the live state, the settings, and the fault channel. */
class ActionContext<T extends DulPayloadTypes> implements DulActionContext<T> {
  requested: { readonly associateRq: T['associateRq'] } | undefined = undefined;
  constructor(
    readonly port: DulPort<T>,
    readonly role: DulRole,
    readonly fallbackRejection: AssociateRejection,
    private readonly currentState: () => DulState,
    private readonly pending: Error[],
  ) {}
  get state(): DulState {
    return this.currentState();
  }
  report(error: Error): void {
    this.pending.push(error);
  }
}

export class DulMachine<T extends DulPayloadTypes = DulPayloadTypes> {
  readonly role: DulRole;
  #state: DulState = 'Sta1';
  readonly #queue: DulInput<T>[] = [];
  #draining = false;
  /** Errors collected during the current drain, delivered when it ends. */
  readonly #pending: Error[] = [];
  readonly #onTransition: ((transition: DulTransition) => void) | undefined;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #context: ActionContext<T>;

  constructor(options: DulMachineOptions<T>) {
    this.role = options.role ?? 'acceptor';
    this.#onTransition = options.onTransition;
    this.#onError = options.onError;
    this.#context = new ActionContext<T>(
      options.port,
      this.role,
      options.fallbackRejection ?? FALLBACK_REJECTION,
      () => this.#state,
      this.#pending,
    );
  }

  /** The current state (Sta1 before Evt5/Evt1 and after the transport is gone). */
  get state(): DulState {
    return this.#state;
  }

  /** True while events are being processed (a `handle()` now only queues). */
  get busy(): boolean {
    return this.#draining;
  }

  /**
   * Whether Table 9-10 defines an action for `event` in the *current* state. The socket layer uses
   * it to drop what a closed connection still delivers, e.g. the `close` event after an action
   * closed the transport itself (Evt17 is blank in Sta1).
   */
  accepts(event: DulMachineEvent): boolean {
    const action = lookupAction(this.#state, event);
    return action !== null && action !== undefined;
  }

  /**
   * Feed one event. Processes it (and anything queued meanwhile) before returning, unless called
   * from inside an action, in which case it is queued behind the current one.
   */
  handle<E extends DulMachineEvent>(event: E, ...payload: DulPayloadArgs<T, E>): void {
    this.#queue.push({ event, payload: payload[0] } as DulInput<T>);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let input = this.#queue.shift(); input !== undefined; input = this.#queue.shift()) this.#step(input);
    } finally {
      this.#draining = false;
    }
    this.#deliverErrors();
  }

  #step(input: DulInput<T>): void {
    const from = this.#state;
    const action = lookupAction(from, input.event);
    if (action === null || action === undefined) {
      this.#pending.push(new InvalidDulEventError(from, String(input.event), noActionReason(from, String(input.event))));
      return;
    }
    let to: DulState;
    try {
      to = DUL_ACTIONS[action](this.#context, input);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : 'the action threw';
      this.#pending.push(new DulActionError(from, input.event, action, message, { cause }));
      return;
    }
    this.#state = to;
    if (this.#onTransition === undefined) return;
    try {
      this.#onTransition({ from, event: input.event, action, to });
    } catch (cause) {
      this.#pending.push(new DulActionError(from, input.event, action, 'onTransition threw', { cause }));
    }
  }

  #deliverErrors(): void {
    if (this.#pending.length === 0) return;
    const errors = this.#pending.splice(0);
    if (this.#onError !== undefined) {
      for (const error of errors) this.#onError(error);
      return;
    }
    if (errors.length === 1) throw errors[0];
    throw new AggregateError(errors, `${errors.length} DUL errors`);
  }
}
