/**
 * How error messages name the namespace an operation ran in (`no such link in namespace ns1`).
 * A leaf module (type imports only), so that errors.ts and rtnl.ts can use it without import
 * cycles through netns.ts.
 * @internal
 */
import type { NativeNetnsHandle, NativeNs } from './binding.js';

/** Where iproute2 keeps named namespaces. */
export const NETNS_RUN_DIR = '/run/netns';

const handles = new WeakMap<NativeNetnsHandle, string>();

/** Records how messages name the namespace of an open handle. */
export function describeHandle(handle: NativeNetnsHandle, description: string): void {
  handles.set(handle, description);
}

/** `namespace NAME` for a file under /run/netns, else `namespace PATH`. */
export function describePath(path: string): string {
  const prefix = `${NETNS_RUN_DIR}/`;
  return `namespace ${path.startsWith(prefix) ? path.slice(prefix.length) : path}`;
}

/**
 * The namespace an operation ran in, as messages name it: `namespace ns1`,
 * `namespace /proc/42/ns/net`, `namespace net:[4026532281]` (an anonymous one, as
 * /proc/PID/fd/N and lsns show it) or `the caller's namespace`.
 */
export function describeNs(ns: NativeNs): string {
  if (ns === null) return "the caller's namespace";
  if (typeof ns === 'string') return describePath(ns);
  return handles.get(ns) ?? `namespace net:[${ns.inode}]`;
}
