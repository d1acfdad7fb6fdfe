/**
 * OVSDB values as JSON (RFC 7047 section 5.1) and back: atoms, `["uuid", …]`, sets (a one-element
 * set may come as the bare atom, an empty one as `["set", []]`) and maps.
 * @internal
 */
import type { Json } from './json.js';

/** An atom as netdev hands it out: uuids as their string. */
export type Atom = string | number | bigint | boolean;

export const uuid = (id: string): Json => ['uuid', id];
export const namedUuid = (name: string): Json => ['named-uuid', name];

/** The uuid of a `["uuid", …]` (or `["named-uuid", …]`) value, else undefined. */
export function uuidOf(v: Json | undefined): string | undefined {
  return Array.isArray(v) && v.length === 2 && (v[0] === 'uuid' || v[0] === 'named-uuid') && typeof v[1] === 'string' ? v[1] : undefined;
}

function atomOf(v: Json): Atom | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  return uuidOf(v);
}

/** The elements of a set value (a bare atom is a one-element set). */
export function setOf(v: Json | undefined): Atom[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1])) return v[1].map(atomOf).filter((a): a is Atom => a !== undefined);
  const a = atomOf(v);
  return a === undefined ? [] : [a];
}

/** The only element of an optional value (a set of at most one), else undefined. */
export function optional(v: Json | undefined): Atom | undefined {
  return setOf(v)[0];
}

/** The pairs of a map value, as an object of strings (OVSDB maps here are string to string). */
export function mapOf(v: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v) && v[0] === 'map' && Array.isArray(v[1]))
    for (const pair of v[1]) if (Array.isArray(pair) && pair.length === 2) out[String(atomOf(pair[0]!))] = String(atomOf(pair[1]!));
  return out;
}

/** A map of numbers (statistics): integers past 2^53 stay bigint. */
export function numberMapOf(v: Json | undefined): Record<string, number | bigint> {
  const out: Record<string, number | bigint> = {};
  if (Array.isArray(v) && v[0] === 'map' && Array.isArray(v[1]))
    for (const pair of v[1]) if (Array.isArray(pair) && pair.length === 2 && (typeof pair[1] === 'number' || typeof pair[1] === 'bigint')) out[String(atomOf(pair[0]!))] = pair[1];
  return out;
}

/** A scalar column's text ('' for anything else: a set, a map, nothing). */
export function text(v: Json | undefined): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const a = optional(v);
  return a === undefined ? '' : String(a);
}

/** A set value to send. */
export const toSet = (atoms: readonly Json[]): Json => ['set', [...atoms]];
/** A map value to send. */
export const toMap = (m: Readonly<Record<string, string>>): Json => ['map', Object.entries(m).map(([k, v]) => [k, v])];
