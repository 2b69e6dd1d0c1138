/**
 * Reassembly of PDV fragments into DIMSE messages, PS3.8 Annex E and PS3.7 §8.1: a message is its
 * command fragments (control header bit 0 set) up to the one marked last (bit 1), then — when the
 * command's CommandDataSetType is not 0101H — its data set fragments up to the one marked last. All
 * fragments of one message use the same presentation context.
 *
 * One message is assembled at a time (no asynchronous operations window is negotiated). Protocol
 * violations come back as typed errors — never thrown — and the assembler stays failed afterwards
 * (the DUL aborts). Command and data set sizes are capped; nothing is allocated from a declared size:
 * fragments are copied as they arrive and joined once.
 */
import type { Pdv } from '../pdu/pData.ts';
import { DEFAULT_MAX_COMMAND_LENGTH, decodeCommand, type DimseCommand, type DimseDecodeError } from './command.ts';

export type AssemblerErrorReason =
  | 'unknown-context'
  | 'dataset-without-command'
  | 'dataset-before-command-end'
  | 'command-during-dataset'
  | 'mixed-contexts'
  | 'command-too-large'
  | 'dataset-too-large'
  | 'bad-command'
  | 'failed';

export interface AssemblerError {
  readonly reason: AssemblerErrorReason;
  /** Context ID of the offending PDV. */
  readonly contextId: number;
  /** PDV offset within its PDU, when known. */
  readonly offset: number | null;
  readonly detail: string;
  /** The command decode failure, for `bad-command`. */
  readonly decodeError?: DimseDecodeError;
}

/** A complete DIMSE message. */
export interface DimseMessage {
  readonly contextId: number;
  readonly command: DimseCommand;
  readonly commandBytes: Buffer;
  /** The data set bytes, or null when the command announced none. */
  readonly dataset: Buffer | null;
}

export type AssemblerResult =
  /** More fragments needed. */
  | { readonly kind: 'pending' }
  /** The command is complete and a data set will follow (lets a service refuse early). */
  | { readonly kind: 'command'; readonly contextId: number; readonly command: DimseCommand }
  | { readonly kind: 'message'; readonly message: DimseMessage }
  | { readonly kind: 'error'; readonly error: AssemblerError };

export interface AssemblerOptions {
  /** Cap on a command set (default 64 KiB). */
  readonly maxCommandBytes?: number;
  /** Cap on a data set (from config; required: there is no safe universal default). */
  readonly maxDatasetBytes: number;
  /** When given, a PDV on any other context is an error (the DUL knows the accepted contexts). */
  readonly isAcceptedContext?: (contextId: number) => boolean;
}

type State =
  | { readonly name: 'idle' }
  | { readonly name: 'command'; readonly contextId: number }
  | { readonly name: 'dataset'; readonly contextId: number; readonly command: DimseCommand; readonly commandBytes: Buffer }
  | { readonly name: 'failed'; readonly error: AssemblerError };

export class DimseAssembler {
  private state: State = { name: 'idle' };
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly maxCommandBytes: number;
  private readonly maxDatasetBytes: number;
  private readonly isAcceptedContext: ((id: number) => boolean) | undefined;

  constructor(options: AssemblerOptions) {
    this.maxCommandBytes = options.maxCommandBytes ?? DEFAULT_MAX_COMMAND_LENGTH;
    this.maxDatasetBytes = options.maxDatasetBytes;
    this.isAcceptedContext = options.isAcceptedContext;
  }

  /** Bytes held for the message in progress. */
  get bufferedBytes(): number {
    return this.size;
  }

  /** True between messages. */
  get idle(): boolean {
    return this.state.name === 'idle';
  }

  /** Feed one PDV. */
  push(pdv: Pdv): AssemblerResult {
    const s = this.state;
    if (s.name === 'failed') return { kind: 'error', error: { ...s.error, reason: 'failed', detail: `assembler failed earlier: ${s.error.reason}` } };
    if (this.isAcceptedContext !== undefined && !this.isAcceptedContext(pdv.contextId)) {
      return this.fail('unknown-context', pdv, `presentation context ${pdv.contextId} was not accepted`);
    }
    switch (s.name) {
      case 'idle':
        if (!pdv.command) return this.fail('dataset-without-command', pdv, 'data set fragment while no command is in progress');
        this.state = { name: 'command', contextId: pdv.contextId };
        return this.addCommand(pdv, pdv.contextId);
      case 'command':
        if (pdv.contextId !== s.contextId) return this.fail('mixed-contexts', pdv, `command on context ${s.contextId} continued on ${pdv.contextId}`);
        if (!pdv.command) return this.fail('dataset-before-command-end', pdv, 'data set fragment before the last command fragment');
        return this.addCommand(pdv, s.contextId);
      case 'dataset':
        if (pdv.contextId !== s.contextId) return this.fail('mixed-contexts', pdv, `data set on context ${s.contextId} continued on ${pdv.contextId}`);
        if (pdv.command) return this.fail('command-during-dataset', pdv, 'command fragment while a data set is in progress');
        return this.addDataset(pdv, s);
    }
  }

  /** Feed every PDV of a P-DATA-TF; stops at the first error. */
  pushAll(pdvs: readonly Pdv[]): AssemblerResult[] {
    const out: AssemblerResult[] = [];
    for (const pdv of pdvs) {
      const r = this.push(pdv);
      out.push(r);
      if (r.kind === 'error') break;
    }
    return out;
  }

  private take(data: Buffer): void {
    this.chunks.push(Buffer.from(data));
    this.size += data.length;
  }

  private joined(): Buffer {
    const b = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    return b;
  }

  private addCommand(pdv: Pdv, contextId: number): AssemblerResult {
    if (this.size + pdv.data.length > this.maxCommandBytes) {
      return this.fail('command-too-large', pdv, `command set over ${this.maxCommandBytes} bytes`);
    }
    this.take(pdv.data);
    if (!pdv.last) return { kind: 'pending' };
    const commandBytes = this.joined();
    const decoded = decodeCommand(commandBytes, { maxLength: this.maxCommandBytes });
    if (!decoded.ok) {
      return this.fail('bad-command', pdv, decoded.error.message, decoded.error);
    }
    const command = decoded.command;
    if (!command.hasDataset) {
      this.state = { name: 'idle' };
      return { kind: 'message', message: { contextId, command, commandBytes, dataset: null } };
    }
    this.state = { name: 'dataset', contextId, command, commandBytes };
    return { kind: 'command', contextId, command };
  }

  private addDataset(pdv: Pdv, s: Extract<State, { name: 'dataset' }>): AssemblerResult {
    if (this.size + pdv.data.length > this.maxDatasetBytes) {
      return this.fail('dataset-too-large', pdv, `data set over ${this.maxDatasetBytes} bytes`);
    }
    this.take(pdv.data);
    if (!pdv.last) return { kind: 'pending' };
    const dataset = this.joined();
    this.state = { name: 'idle' };
    return { kind: 'message', message: { contextId: s.contextId, command: s.command, commandBytes: s.commandBytes, dataset } };
  }

  private fail(reason: AssemblerErrorReason, pdv: Pdv, detail: string, decodeError?: DimseDecodeError): AssemblerResult {
    const error: AssemblerError = { reason, contextId: pdv.contextId, offset: pdv.offset, detail, ...(decodeError ? { decodeError } : {}) };
    this.state = { name: 'failed', error };
    this.chunks = [];
    this.size = 0;
    return { kind: 'error', error };
  }
}

export { fragment, pDataFragments, fragmentSize } from './fragment.ts';
