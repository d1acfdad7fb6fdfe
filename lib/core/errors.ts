/**
 * Errors, shaped like Node's own system errors: `code` ('EEXIST'), negative `errno`, `syscall`,
 * and the kernel's extended-ack text in `extack` (and the message) when it gave one. Invalid
 * arguments throw before any system call with `code: 'ERR_INVALID_ARG_VALUE'` or
 * `'ERR_INVALID_ARG_TYPE'`.
 */
import { constants } from 'node:os';
import * as util from 'node:util';
import type { NativeError, NativeNs } from './binding.js';
import { describeNs } from './nsdesc.js';

/** A system call or the kernel refused an operation. */
export class NetdevError extends Error {
  /** The error name, e.g. `'EEXIST'`. */
  readonly code: string;
  /** The negative errno, as in Node's system errors. */
  readonly errno: number;
  /** What failed: `'rtnetlink'` for kernel refusals of netlink requests, else the system call. */
  readonly syscall: string;
  /** The kernel's extended-ack message, when it gave one (only ever the kernel's words). */
  readonly extack?: string;
  /**
   * netdev's own context, when it has some: the ioctl that failed (`TUNSETIFF`), what a code
   * means here (`namespace already exists`, `not a namespace file`). Also in the message.
   */
  readonly detail?: string;
  /** Offset in the request of the attribute the kernel rejected, when it said. */
  readonly extackOffset?: number;
  /** A file path involved (namespace files). */
  readonly path?: string;
  /** What netdev was doing, e.g. `createVeth veth0`. */
  readonly operation?: string;
  /**
   * On `ENODEV` (no such link): the namespace that was searched, as the message names it:
   * `namespace ns1`, `namespace /proc/42/ns/net`, `namespace net:[4026532281]` or
   * `the caller's namespace`.
   */
  readonly netns?: string;

  constructor(init: {
    errnum: number;
    syscall: string;
    extack?: string;
    detail?: string;
    extackOffset?: number;
    path?: string;
    operation?: string;
    netns?: string;
  }) {
    init = checkInit(init);
    const [code, desc] = errnoName(init.errnum);
    const what = [init.syscall, init.operation].filter(Boolean).join(' ');
    const where = init.path ? ` '${init.path}'` : '';
    const searched = init.netns !== undefined ? `: no such link in ${init.netns}` : '';
    const detail = init.detail !== undefined ? ` (${init.detail})` : '';
    super(`${code}: ${init.extack ?? desc}, ${what}${where}${detail}${searched}`);
    this.name = 'NetdevError';
    this.code = code;
    this.errno = -init.errnum;
    this.syscall = init.syscall;
    if (init.extack !== undefined) this.extack = init.extack;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.extackOffset !== undefined) this.extackOffset = init.extackOffset;
    if (init.path !== undefined) this.path = init.path;
    if (init.operation !== undefined) this.operation = init.operation;
    if (init.netns !== undefined) this.netns = init.netns;
  }
}

/**
 * Linux errnos that libuv has no name for, which the kernel does return here: a TUN queue read
 * after its device was deleted (EBADFD), nf_tables refusing a batch made for an older ruleset
 * generation (ERESTART), and the kernel-internal ENOTSUPP that some netlink handlers leak.
 */
const LINUX_ONLY: ReadonlyMap<number, [string, string]> = new Map([
  [76, ['ENOTUNIQ', 'name not unique on network']],
  [77, ['EBADFD', 'file descriptor in bad state']],
  [85, ['ERESTART', 'interrupted system call should be restarted']],
  [524, ['ENOTSUPP', 'operation not supported (kernel-internal)']],
]);

/** The name ('EEXIST') and description of a positive errno. */
function errnoName(errnum: number): [string, string] {
  const known = util.getSystemErrorMap().get(-errnum);
  return known ?? LINUX_ONLY.get(errnum) ?? [`E${errnum}`, `errno ${errnum}`];
}

/** NetdevError is public (users construct them in fakes): its init is checked like any argument. */
function checkInit<T>(init: T): T {
  if (typeof init !== 'object' || init === null) throw invalidType('init', 'an object', init);
  const o: Record<string, unknown> = { ...(init as object) }; // each own property read once
  const errnum = o.errnum;
  if (typeof errnum !== 'number') throw invalidType('init.errnum', 'of type number', errnum);
  if (!Number.isInteger(errnum) || errnum < 1 || errnum > 4095)
    throw invalidValue('init.errnum', errnum, 'must be a positive errno from 1 to 4095', true);
  if (typeof o.syscall !== 'string') throw invalidType('init.syscall', 'of type string', o.syscall);
  for (const key of ['extack', 'detail', 'path', 'operation', 'netns'])
    if (o[key] !== undefined && typeof o[key] !== 'string') throw invalidType(`init.${key}`, 'of type string', o[key]);
  if (o.extackOffset !== undefined && typeof o.extackOffset !== 'number') throw invalidType('init.extackOffset', 'of type number', o.extackOffset);
  return o as T;
}

/**
 * What the kernel says of the system refuses an operation that the arguments alone allowed (a
 * link of another kind for deletePersistentTun or setLinkData, an MTU beyond the device's
 * maximum, a master that takes no ports): not an argument error, which is known before any
 * system call, but a system error, with the code the kernel gives such requests (EINVAL from
 * TUNSETIFF, EOPNOTSUPP from a changelink of another kind) and the reason in `detail`.
 */
export function refusedByState(errnum: number, operation: string, what: string): NetdevError {
  return new NetdevError({ errnum, syscall: 'rtnetlink', operation, detail: what });
}

/** Node-style argument error (`ERR_INVALID_ARG_VALUE` / `ERR_INVALID_ARG_TYPE`). */
export interface ArgumentError extends Error {
  code: 'ERR_INVALID_ARG_VALUE' | 'ERR_INVALID_ARG_TYPE';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}'`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** A value of the right type that is not acceptable (RangeError for numbers out of range). */
export function invalidValue(name: string, value: unknown, reason: string, range = false): ArgumentError {
  const Ctor = range ? RangeError : TypeError;
  const err = new Ctor(`The argument '${name}' ${reason}. Received ${describe(value)}`) as ArgumentError;
  err.code = 'ERR_INVALID_ARG_VALUE';
  return err;
}

/**
 * `new` on a class whose objects only netdev makes (a Netns, a TunDevice, a Watcher): Node's
 * `ERR_ILLEGAL_CONSTRUCTOR`, as for `new AbortSignal()`.
 */
export function illegalConstructor(name: string, makers: string): TypeError & { code: string } {
  const err = new TypeError(`Illegal constructor: a ${name} comes from ${makers}`) as TypeError & { code: string };
  err.code = 'ERR_ILLEGAL_CONSTRUCTOR';
  return err;
}

/** A value of the wrong type. */
export function invalidType(name: string, expected: string, value: unknown): ArgumentError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `type ${typeof value}`;
  const err = new TypeError(`The "${name}" argument must be ${expected}. Received ${got}`) as ArgumentError;
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as Partial<NativeError>).errnum === 'number';
}

/**
 * Converts an addon error into a NetdevError (anything else passes through). Given the namespace
 * the request ran in, an ENODEV (no such link) names it in the message and in `netns`.
 */
export function systemError(e: unknown, operation?: string, ns?: NativeNs): unknown {
  if (!isNativeError(e)) return e;
  return new NetdevError({
    errnum: e.errnum,
    syscall: e.syscall,
    ...(e.extack !== undefined ? { extack: e.extack } : {}),
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.extackOffset !== undefined ? { extackOffset: e.extackOffset } : {}),
    ...(e.path !== undefined ? { path: e.path } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(ns !== undefined && e.errnum === constants.errno.ENODEV ? { netns: describeNs(ns) } : {}),
  });
}

/** Awaits a native promise, converting its rejection. */
export async function native<T>(p: Promise<T>, operation?: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw systemError(e, operation);
  }
}

/** Runs a synchronous native call, converting its failure like {@link native} does. */
export function nativeSync<T>(fn: () => T, operation?: string): T {
  try {
    return fn();
  } catch (e) {
    throw systemError(e, operation);
  }
}
