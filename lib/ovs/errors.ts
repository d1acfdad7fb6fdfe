/**
 * The errors of the Open vSwitch client: a string `code` like Node's system errors (`ENOENT` for a
 * missing bridge or port, `EEXIST`, `ECONNREFUSED` when no server listens, `ETIMEDOUT`,
 * `ECONNRESET`), or `ERR_OVSDB_*` for a refusal by ovsdb-server (its `error` string, upper-cased:
 * `ERR_OVSDB_CONSTRAINT_VIOLATION`), or `ERR_OVS_INTERFACE` when ovs-vswitchd could not make a
 * device; with the server's or the daemon's own text in `details`.
 */

/** What {@link OvsError} is made from. */
export interface OvsErrorInit {
  code: string;
  /** What netdev was doing: `addPort br-in vm1`. */
  operation: string;
  /** What went wrong, in netdev's words. */
  reason: string;
  /** The server's or the daemon's own text, when it gave one. */
  details?: string;
  /** The interface ovs-vswitchd failed on (`ERR_OVS_INTERFACE`). */
  interface?: string;
  /** The socket the client talks to. */
  socket?: string;
  /** The operation of a transaction that failed (from 0), when one did. */
  index?: number;
  cause?: unknown;
}

import { invalidType } from '../core/errors.js';

/** A refusal or failure of an Open vSwitch operation. */
export class OvsError extends Error {
  readonly code: string;
  readonly operation: string;
  readonly details?: string;
  readonly interface?: string;
  readonly socket?: string;
  /** The operation of a transaction that failed (from 0), when one did. */
  readonly index?: number;

  constructor(init: OvsErrorInit) {
    init = checkInit(init);
    const details = init.details !== undefined && init.details !== '' ? `: ${init.details}` : '';
    super(`${init.code}: ${init.reason}, ${init.operation}${details}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'OvsError';
    this.code = init.code;
    this.operation = init.operation;
    if (init.details !== undefined) this.details = init.details;
    if (init.interface !== undefined) this.interface = init.interface;
    if (init.socket !== undefined) this.socket = init.socket;
    if (init.index !== undefined) this.index = init.index;
  }
}

/** The code of an OVSDB `error` string: `constraint violation` is `ERR_OVSDB_CONSTRAINT_VIOLATION`. */
export function ovsdbCode(error: string): string {
  return `ERR_OVSDB_${error.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

function checkInit(init: OvsErrorInit): OvsErrorInit {
  if (typeof init !== 'object' || init === null) throw invalidType('init', 'an object', init);
  const o: Record<string, unknown> = { ...(init as object) }; // each own property read once
  for (const key of ['code', 'operation', 'reason']) if (typeof o[key] !== 'string') throw invalidType(`init.${key}`, 'of type string', o[key]);
  for (const key of ['details', 'interface', 'socket']) if (o[key] !== undefined && typeof o[key] !== 'string') throw invalidType(`init.${key}`, 'of type string', o[key]);
  if (o.index !== undefined && typeof o.index !== 'number') throw invalidType('init.index', 'of type number', o.index);
  return o as unknown as OvsErrorInit;
}
