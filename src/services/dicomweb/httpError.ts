/**
 * DICOMweb errors (PS3.18 §8.6 status codes): a status and one plain-text line saying what was wrong, the
 * way an origin server answers — never the framework's JSON error object.
 */
import type { FastifyReply } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Sends a plain-text error (one line, then a newline). */
export function sendError(reply: FastifyReply, status: number, message: string, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

/** A UID in a request path or parameter (PS3.5 §9.1: digits and dots, at most 64 characters). */
export function checkUid(value: string, what: string): string {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(value) || value.length > 64) {
    throw new HttpError(400, `${what} is not a valid UID: ${JSON.stringify(value.slice(0, 80))}`);
  }
  return value;
}
