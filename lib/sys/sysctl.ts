/**
 * Network sysctls of a namespace (`net.ipv4.ip_forward`, `net.ipv4.conf.X.rp_filter`, …), read
 * and written inside that namespace by a short-lived thread: the JS thread never moves.
 */
import { binding } from '../core/binding.js';
import { invalidType, invalidValue, native } from '../core/errors.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import * as v from '../core/validate.js';

/** A sysctl key: dotted (`net.ipv4.ip_forward`), or its components (for link names with dots). */
export type SysctlKey = string | readonly string[];

/**
 * The /proc/sys path of a key. Keys are dotted (`net.ipv4.conf.eth0.rp_filter`); a link name
 * that has dots itself is given by components (`['net', 'ipv4', 'conf', 'eth0.100',
 * 'rp_filter']`). A `/` anywhere, an empty, `.` or `..` component is refused: no key can reach
 * outside /proc/sys/net. Only `net.` keys exist per namespace, so only they are accepted: any
 * other would change the whole host.
 */
function sysctlPath(key: unknown): string {
  const what = "a string like 'net.ipv4.ip_forward' or an array of components";
  let parts: string[];
  if (typeof key === 'string') parts = key.split('.');
  else {
    const list = v.array(key, 'key', 64, what); // a snapshot: each component read once
    if (!list.every((p) => typeof p === 'string')) throw invalidType('key', what, key);
    parts = list;
  }
  if (parts[0] !== 'net' || parts.length < 2)
    throw invalidValue('key', key, "must be a network sysctl such as 'net.ipv4.ip_forward' (only net.* keys belong to a namespace)");
  for (const p of parts)
    if (p === '' || p === '.' || p === '..' || !/^[A-Za-z0-9_.:@+-]+$/.test(p) || p.length > 64)
      throw invalidValue('key', key, "has an invalid component (no '/', '..' or empty parts)");
  return parts.join('/');
}

/**
 * Reads a network sysctl inside a namespace; resolves with its value, trimmed (multi-value
 * sysctls keep their tabs).
 *
 * `ip netns exec NS sysctl -n KEY`
 */
export async function getSysctl(key: SysctlKey, options: NetnsOption = {}): Promise<string> {
  const path = sysctlPath(key);
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    return (await native(binding().sysctl(ns, path), `getSysctl ${path}`)).trim();
  } finally {
    release();
  }
}

/**
 * Writes a network sysctl inside a namespace (booleans as 1/0) and resolves with the value read
 * back ('' for write-only keys such as `net.ipv4.route.flush`).
 *
 * `ip netns exec NS sysctl -w KEY=VALUE`
 */
export async function setSysctl(key: SysctlKey, value: string | number | boolean, options: NetnsOption = {}): Promise<string> {
  const path = sysctlPath(key);
  let text: string;
  if (typeof value === 'boolean') text = value ? '1' : '0';
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidValue('value', value, 'must be a finite number');
    text = String(value);
  } else if (typeof value === 'string') {
    if (value.includes('\0') || value.length > 4096) throw invalidValue('value', value, 'must be text without NUL, at most 4096 bytes');
    text = value;
  } else throw invalidType('value', 'a string, number or boolean', value);
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    return (await native(binding().sysctl(ns, path, text), `setSysctl ${path}`)).trim();
  } finally {
    release();
  }
}
