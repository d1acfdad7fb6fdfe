/**
 * Argument validation: everything the library can know is wrong is rejected here, before any
 * system call, with Node's ERR_INVALID_ARG_VALUE / ERR_INVALID_ARG_TYPE codes.
 * @internal
 */
import * as net from 'node:net';
import { invalidType, invalidValue } from './errors.js';

const IFNAMSIZ = 16;

/** A Linux interface name: 1-15 bytes, not '.' or '..', no '/', ':' or whitespace. */
export function ifname(name: unknown, arg = 'name'): string {
  if (typeof name !== 'string') throw invalidType(arg, 'of type string', name);
  const bytes = Buffer.byteLength(name);
  if (bytes === 0) throw invalidValue(arg, name, 'must not be empty');
  if (bytes >= IFNAMSIZ) throw invalidValue(arg, name, `must be at most ${IFNAMSIZ - 1} bytes`);
  if (name === '.' || name === '..') throw invalidValue(arg, name, "must not be '.' or '..'");
  // The kernel's dev_valid_name(): no '/', ':' or isspace() characters; NUL would truncate.
  if (/[/:\s\0]/.test(name)) throw invalidValue(arg, name, "must not contain '/', ':', NUL or whitespace");
  // A '%' makes the kernel pick the name from a template (veth%d -> veth0): netdev would not know
  // the link it made (and could not undo a creation half done), and no link is named so.
  if (name.includes('%')) throw invalidValue(arg, name, "must not contain '%' (name templates are not supported: choose the name)");
  return name;
}

/** ALTIFNAMSIZ: an alternative name is at most 127 bytes (and a NUL). */
const ALTIFNAMSIZ = 128;

/** An alternative link name (`ip link property add dev DEV altname NAME`): dev_valid_name()'s rules, up to 127 bytes. */
export function altname(name: unknown, arg = 'name'): string {
  if (typeof name !== 'string') throw invalidType(arg, 'of type string', name);
  const bytes = Buffer.byteLength(name);
  if (bytes === 0) throw invalidValue(arg, name, 'must not be empty');
  if (bytes >= ALTIFNAMSIZ) throw invalidValue(arg, name, `must be at most ${ALTIFNAMSIZ - 1} bytes`);
  if (name === '.' || name === '..') throw invalidValue(arg, name, "must not be '.' or '..'");
  if (/[/:\s\0]/.test(name)) throw invalidValue(arg, name, "must not contain '/', ':', NUL or whitespace");
  return name;
}

/** A namespace name as `ip netns add` takes it: a file name under /run/netns. */
export function netnsName(name: unknown, arg = 'name'): string {
  if (typeof name !== 'string') throw invalidType(arg, 'of type string', name);
  if (name.length === 0) throw invalidValue(arg, name, 'must not be empty');
  if (Buffer.byteLength(name) > 255) throw invalidValue(arg, name, 'must be at most 255 bytes');
  if (name === '.' || name === '..' || /[/\0]/.test(name))
    throw invalidValue(arg, name, "must be a plain file name (no '/', NUL, '.' or '..')");
  return name;
}

export function integer(value: unknown, arg: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidType(arg, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalidValue(arg, value, `must be an integer from ${min} to ${max}`, true);
  return value;
}

export function bool(value: unknown, arg: string): boolean {
  if (typeof value !== 'boolean') throw invalidType(arg, 'of type boolean', value);
  return value;
}

/**
 * A string the kernel (or libc) reads as a C string: no NUL byte (it would end the string early,
 * and what follows could be read as something else), at most `maxBytes` bytes of UTF-8 (default
 * PATH_MAX - 1) and at least `minBytes`.
 */
export function string(value: unknown, arg: string, maxBytes = 4095, minBytes = 0): string {
  if (typeof value !== 'string') throw invalidType(arg, 'of type string', value);
  if (value.includes('\0')) throw invalidValue(arg, value, 'must not contain NUL bytes');
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes || bytes < minBytes)
    throw invalidValue(arg, value, minBytes > 0 ? `must be ${minBytes} to ${maxBytes} bytes` : `must be at most ${maxBytes} bytes`);
  return value;
}

/** A link kind as the kernel names them (`veth`, `ip6gre`, `virt_wifi`): 1-32 of [a-z0-9_]. */
export function linkKind(value: unknown, arg: string): string {
  const kind = string(value, arg, 32, 1);
  if (!/^[a-z0-9_]+$/.test(kind)) throw invalidValue(arg, kind, 'must be a kernel link kind such as dummy');
  return kind;
}

/**
 * An array of at most `max` entries (so that its encoding fits netlink's 16-bit lengths), copied:
 * every element read once, holes as undefined. The elements themselves are not copied: each
 * caller checks (or snapshots) its elements as it takes them.
 */
export function array(value: unknown, arg: string, max: number, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalidType(arg, what, value);
  if (value.length > max) throw invalidValue(arg, value, `must hold at most ${max} entries`, true);
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < out.length; i++) out[i] = Object.hasOwn(value, i) ? (value as unknown[])[i] : undefined;
  return out;
}

/** Deeper than any argument netdev takes: a deeper (or cyclic) value is refused. */
const MAX_DEPTH = 8;
/** More elements than any list inside an argument fits in a netlink message. */
const MAX_ELEMENTS = 65536;

function copy(value: unknown, arg: string, depth: number, bag = false): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const isArray = Array.isArray(value);
  if (!isArray && !bag) {
    const proto: unknown = Object.getPrototypeOf(value);
    // Class instances (a Netns, a Buffer, an AbortSignal) are kept: they are not option bags.
    if (proto !== Object.prototype && proto !== null) return value;
  }
  if (depth > MAX_DEPTH) throw invalidValue(arg, value, 'is nested too deeply (or refers to itself)');
  if (isArray) {
    const list = value as unknown[];
    const n = list.length;
    if (n > MAX_ELEMENTS) throw invalidValue(arg, value, `must hold at most ${MAX_ELEMENTS} entries`, true);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const item = Object.hasOwn(list, i) ? list[i] : undefined;
      // The argument's name is composed only for what is copied further (a list of thousands of
      // rules must not cost a string per field).
      out[i] = typeof item === 'object' && item !== null ? copy(item, `${arg}[${i}]`, depth + 1) : item;
    }
    return out;
  }
  // No prototype, so a '__proto__' key is a plain property. Made as {} and then cut off: V8 keeps
  // such an object's fast layout, where Object.create(null) makes a dictionary (a list of
  // thousands of rules is read field by field after this).
  const out: Record<string, unknown> = {};
  Object.setPrototypeOf(out, null);
  const src = value as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const item = src[key];
    out[key] = typeof item === 'object' && item !== null ? copy(item, `${arg}.${key}`, depth + 1) : item;
  }
  return out;
}

/**
 * An object argument (an option bag), as netdev works from it: a snapshot, that is a copy of its
 * own enumerable properties (string keys), each read exactly once, without a prototype, whatever
 * the argument's own prototype; plain objects and arrays inside it copied the same way, anything
 * else (class instances such as a Netns or a Buffer, functions) kept as is.
 *
 * So a call sees one value per option for all its steps (a getter cannot answer one thing to the
 * validation and another to the request, or send two steps to two namespaces), and nothing
 * inherited is ever read as an option (`Object.prototype.netns = …` set by a polluted dependency).
 */
export function object(value: unknown, arg: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidType(arg, 'an object', value);
  return copy(value, arg, 0, true) as Record<string, unknown>;
}

/**
 * An options argument: an object (see {@link object}) with only the given keys. Returns the
 * snapshot, typed as given: public functions replace their parameter with it before reading it.
 */
export function options<T>(value: T, arg: string, keys: readonly string[]): T {
  const o = object(value, arg);
  knownKeys(o, arg, keys);
  return o as T;
}

/** MTU: 68 (IPv4's minimum) to 65536 (the loopback default); devices may narrow it further. */
export function mtu(value: unknown, arg = 'mtu'): number {
  return integer(value, arg, 68, 65536);
}

const HW = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){0,31}$/;

/** Hardware address lengths accepted: Ethernet (6), EUI-64 (8), InfiniBand (20). */
const HW_LENGTHS = [6, 8, 20];

/** A hardware address 'aa:bb:cc:dd:ee:ff'; a 6-byte one must be a valid unicast address. */
export function mac(value: unknown, arg = 'mac'): string {
  if (typeof value !== 'string') throw invalidType(arg, 'of type string', value);
  const octets = HW.test(value) ? value.split(':').map((h) => parseInt(h, 16)) : [];
  if (!HW_LENGTHS.includes(octets.length))
    throw invalidValue(arg, value, "must be a hardware address like '02:00:00:00:00:01' (6, 8 or 20 octets)");
  if (octets.length === 6) {
    if ((octets[0]! & 1) === 1) throw invalidValue(arg, value, 'must be a unicast address (multicast bit set)');
    if (octets.every((o) => o === 0)) throw invalidValue(arg, value, 'must not be all zeros');
  }
  return octets.map((o) => o.toString(16).padStart(2, '0')).join(':');
}

export interface Cidr {
  family: 4 | 6;
  address: string;
  prefixLength: number;
}

/**
 * net.isIP() accepts an IPv6 zone id ('fe80::1%lo'); rtnetlink has no place for one (the link is
 * a separate argument), so it is refused here rather than by the addon with a misleading code.
 */
export function noZone(value: string, arg: string): void {
  if (value.includes('%')) throw invalidValue(arg, value, "must not carry a zone id ('%…'): give the link separately");
}

/** 'ADDRESS/PREFIX' (or a bare address, taken as /32 or /128, like ip does). */
export function cidr(value: unknown, arg = 'address'): Cidr {
  if (typeof value !== 'string') throw invalidType(arg, 'of type string', value);
  noZone(value, arg);
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const family = net.isIP(address);
  if (family !== 4 && family !== 6)
    throw invalidValue(arg, value, "must be an IP address with an optional prefix length, like '10.0.0.1/24'");
  const max = family === 4 ? 32 : 128;
  let prefixLength = max;
  if (slash >= 0) {
    const p = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max)
      throw invalidValue(arg, value, `must have a prefix length from 0 to ${max}`);
    prefixLength = Number(p);
  }
  return { family, address, prefixLength };
}

/** An IP literal of the given family (any family when omitted). */
export function ip(value: unknown, arg: string, family?: 4 | 6): string {
  if (typeof value !== 'string') throw invalidType(arg, 'of type string', value);
  noZone(value, arg);
  const f = net.isIP(value);
  if (f === 0 || (family !== undefined && f !== family))
    throw invalidValue(arg, value, family ? `must be an IPv${family} address` : 'must be an IP address');
  return value;
}

/** The IPv4 broadcast address of address/prefix (what `brd +` computes). */
export function ipv4Broadcast(address: string, prefixLength: number): string {
  const n = address.split('.').reduce((acc, o) => (acc * 256 + Number(o)) >>> 0, 0);
  const host = prefixLength === 0 ? 0xffffffff : (2 ** (32 - prefixLength) - 1) >>> 0;
  const b = (n | host) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
}

/**
 * The entry of a name→value table for `key`, when `key` is a string naming one of its own
 * entries: never something inherited (`'toString'`, `'__proto__'`, `'constructor'`).
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

export function port(value: unknown, arg = 'port'): number {
  return integer(value, arg, 0, 65535);
}

/** Rejects keys a function does not know (catches typos such as `mtu_` or `peerName`). */
export function knownKeys(obj: Record<string, unknown>, arg: string, keys: readonly string[]): void {
  for (const key of Object.keys(obj))
    if (!keys.includes(key)) throw invalidValue(`${arg}.${key}`, obj[key], 'is not a known option');
}
