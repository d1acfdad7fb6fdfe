/**
 * The link-kind settings engine: each kind's attribute table (native/rtnl/kind_tables.cc, the same table
 * that encodes and decodes the settings) validates what a create function or setLinkData is
 * given; and the create step every kind shares. Adding an attribute is one row there; adding a
 * kind is one table there and a thin create function here.
 * @internal
 */
import * as os from 'node:os';
import { binding, type LinkRequest } from '../../core/binding.js';
import type { Agrees, FieldSpec, WriteOf } from '../../core/contract.js';
import { invalidType, invalidValue } from '../../core/errors.js';
import { indexOf, type Link, type LinkRef } from '../links.js';
import { COMMON_KEYS, commonFields, createLink, type CreateLinkOptions } from '../create.js';
import { netnsOf, resolveNetns } from '../../netns/netns.js';
import * as v from '../../core/validate.js';

/** Raw IFLA_INFO_DATA: what fits IFLA_LINKINFO's 16-bit length with the kind string around it. */
export const MAX_INFO_DATA = 65000;
/**
 * Entries of a list setting: a VLAN QoS map (12 bytes an entry) or a macvlan source MAC list (12
 * bytes an entry) stays well inside IFLA_INFO_DATA's 16-bit length, with room for the rest.
 */
const MAX_QOS_ENTRIES = 1024;
const MAX_MAC_ENTRIES = 4096;


/**
 * A kind's option keys, checked at compile time against the generated type of its table: each key
 * is a setting of the table, and the options type gives it the same value type. Used as
 * `settingsOf<CreateVlanOptions, VlanData>()(['id', …])`; a key or type that drifts is a type error.
 */
export const settingsOf =
  <O, D>() =>
  <const K extends readonly (keyof O & keyof D)[]>(keys: K, ...ok: Agrees<Pick<O, K[number]>, Pick<WriteOf<D>, K[number]>> extends true ? [] : [never]): K => {
    if (ok.length !== 0) throw new TypeError('settingsOf takes the key list only');
    return keys;
  };

/** The addon's table for a kind, or undefined. */
export function table(kind: string): FieldSpec[] | undefined {
  return v.lookup(binding().kindTables, kind);
}


/** Whether buf is a sequence of whole netlink attributes, as the kernel reads a nest's payload. */
export function wholeAttributes(buf: Buffer): boolean {
  for (let off = 0; off < buf.length; ) {
    if (buf.length - off < 4) return false;
    const len = os.endianness() === 'LE' ? buf.readUInt16LE(off) : buf.readUInt16BE(off); // host order
    if (len < 4 || len > buf.length - off) return false;
    off += (len + 3) & ~3;
  }
  return true;
}

/** Whether some kind's table has this setting. */
export function anyKindHas(key: string): boolean {
  return Object.values(binding().kindTables).some((t) => t.some((f) => f.key === key && !f.readOnly));
}

/** Validates kind settings (kernel names and units) against the addon's table for the kind. */
export function checkData(kind: string, data: Record<string, unknown>, arg: string): Record<string, unknown> {
  const fields = table(kind);
  if (!fields) throw invalidValue(arg, data, `cannot carry settings for kind '${kind}' (use infoData for raw attributes)`);
  return checkFields(fields, kind, data, arg);
}

/** Validates settings against a table's rows (a kind's, or a port kind's). */
export function checkFields(fields: readonly FieldSpec[], what: string, data: Record<string, unknown>, arg: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const f = fields.find((x) => x.key === key);
    const name = `${arg}.${key}`;
    if (!f) throw invalidValue(name, value, `is not a ${what} setting`);
    if (f.readOnly) throw invalidValue(name, value, 'is read-only');
    switch (f.enc) {
      case 'integer':
        out[key] = v.integer(value, name, f.min, f.max);
        break;
      case 'seconds':
        if (typeof value !== 'number') throw invalidType(name, 'of type number', value);
        if (!Number.isFinite(value) || value < f.min || value > f.max) throw invalidValue(name, value, `must be from ${f.min} to ${f.max} seconds`, true);
        out[key] = value;
        break;
      case 'bridgeId':
        throw invalidValue(name, value, 'is read-only');
      case 'boolean':
        out[key] = v.bool(value, name);
        break;
      case 'enum':
        if (typeof value !== 'string') throw invalidType(name, 'of type string', value);
        if (!f.names?.includes(value)) throw invalidValue(name, value, `must be one of ${f.names?.join(', ')}`);
        out[key] = value;
        break;
      case 'ipv4':
        out[key] = v.ip(value, name, 4);
        break;
      case 'ipv6':
        out[key] = v.ip(value, name, 6);
        break;
      case 'portRange': {
        if (!Array.isArray(value) || value.length !== 2) throw invalidType(name, 'a [low, high] pair', value);
        const low = v.integer(value[0], `${name}[0]`, 1, 65535);
        const high = v.integer(value[1], `${name}[1]`, 1, 65535);
        if (low > high) throw invalidValue(name, value, 'must have low <= high', true);
        out[key] = [low, high];
        break;
      }
      case 'qosMap':
        out[key] = v.array(value, name, MAX_QOS_ENTRIES, 'an array of [from, to] pairs').map((p: unknown, i) => {
          if (!Array.isArray(p) || p.length !== 2) throw invalidType(`${name}[${i}]`, 'a [from, to] pair', p);
          return [v.integer(p[0], `${name}[${i}][0]`, 0, 2 ** 32 - 1), v.integer(p[1], `${name}[${i}][1]`, 0, 7)];
        });
        break;
      case 'macList':
        out[key] = v.array(value, name, MAX_MAC_ENTRIES, 'an array of MAC addresses').map((m: unknown, i) => v.mac(m, `${name}[${i}]`));
        break;
      case 'ipv4List':
        if (!Array.isArray(value)) throw invalidType(name, 'an array of IPv4 addresses', value);
        if (value.length > 16) throw invalidValue(name, value, 'must hold at most 16 addresses', true);
        out[key] = value.map((m: unknown, i) => v.ip(m, `${name}[${i}]`, 4));
        break;
      case 'mac':
        out[key] = v.mac(value, name);
        break;
      case 'hex64':
        if (typeof value !== 'string') throw invalidType(name, 'of type string', value);
        if (!/^[0-9a-fA-F]{16}$/.test(value)) throw invalidValue(name, value, 'must be 16 hex digits');
        out[key] = value.toLowerCase();
        break;
    }
  }
  return out;
}

export function common(o: CreateLinkOptions & Record<string, unknown>, kind: string, extra: readonly string[]): LinkRequest {
  v.knownKeys(o, 'options', [...COMMON_KEYS, ...extra]);
  return { ...commonFields(o, 'options', true), kind };
}

/**
 * Creates the link; `parent` (if any) is resolved to an index in the same namespace, and so are
 * the settings that name links (`device`, and the `links` given: an HSR's slave1/slave2), each
 * stored in the kind's settings under its key. @internal
 */
export async function create(
  o: CreateLinkOptions,
  req: LinkRequest,
  parents: { parent?: LinkRef; device?: LinkRef; links?: Record<string, LinkRef> },
  operation: string,
): Promise<Link> {
  const { ns, release } = resolveNetns(netnsOf(o));
  try {
    if (parents.parent !== undefined) req.parent = await indexOf(ns, parents.parent, 'options.parent');
    const refs: Record<string, LinkRef> = { ...parents.links, ...(parents.device !== undefined ? { device: parents.device } : {}) };
    for (const [key, ref] of Object.entries(refs)) {
      const data = (req.data ??= {});
      data[key] = await indexOf(ns, ref, `options.${key}`);
    }
    return await createLink(ns, req, o.master, operation);
  } finally {
    release();
  }
}

export function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (o[key] !== undefined) out[key] = o[key];
  return out;
}
