/**
 * Network sysctls of a namespace (`net.ipv4.ip_forward`, `net.ipv4.conf.X.rp_filter`, …), read
 * and written inside that namespace by a short-lived thread: the JS thread never moves.
 */
import { binding } from './binding.js';
import { invalidType, invalidValue, native } from './errors.js';
import { resolveNetns, type NetnsOption } from './netns.js';

/**
 * The /proc/sys path of a key. Keys use dots (`net.ipv4.conf.eth0.rp_filter`) or slashes
 * (`net/ipv4/conf/eth0.100/rp_filter`); in the dotted form a link name with dots is written with
 * slashes, as sysctl(8) does (`net.ipv4.conf.eth0/100.rp_filter`). Only `net.` keys exist per
 * namespace, so only they are accepted: any other would change the whole host.
 */
function sysctlPath(key: unknown): string {
  if (typeof key !== 'string') throw invalidType('key', 'of type string', key);
  const parts = key.includes('/') && !key.startsWith('net.') ? key.split('/') : key.split('.').map((p) => p.replaceAll('/', '.'));
  if (parts[0] !== 'net' || parts.length < 2)
    throw invalidValue('key', key, "must be a network sysctl such as 'net.ipv4.ip_forward' (only net.* keys belong to a namespace)");
  for (const p of parts)
    if (p === '' || p === '.' || p === '..' || !/^[A-Za-z0-9_.:@+-]+$/.test(p) || p.length > 64) throw invalidValue('key', key, 'has an invalid component');
  return parts.join('/');
}

/**
 * Reads a network sysctl inside a namespace; resolves with its value, trimmed (multi-value
 * sysctls keep their tabs).
 *
 * `ip netns exec NS sysctl -n KEY`
 */
export async function getSysctl(key: string, options: NetnsOption = {}): Promise<string> {
  const path = sysctlPath(key);
  const { ns, release } = resolveNetns(options.netns);
  try {
    return (await native(binding().sysctl(ns, path), `getSysctl ${key}`)).trim();
  } finally {
    release();
  }
}

/**
 * Writes a network sysctl inside a namespace (booleans as 1/0) and resolves with the value read
 * back.
 *
 * `ip netns exec NS sysctl -w KEY=VALUE`
 */
export async function setSysctl(key: string, value: string | number | boolean, options: NetnsOption = {}): Promise<string> {
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
  const { ns, release } = resolveNetns(options.netns);
  try {
    return (await native(binding().sysctl(ns, path, text), `setSysctl ${key}`)).trim();
  } finally {
    release();
  }
}
