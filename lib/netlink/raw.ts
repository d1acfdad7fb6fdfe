/**
 * Netlink of any protocol family, for codecs written in TypeScript (nf_tables over
 * NETLINK_NETFILTER): whole messages in, replies as bytes out, with what the rtnetlink transport
 * does for every family (the namespace, the socket pool, reply validation, extended acks, kernel
 * refusals turned into NetdevErrors).
 * @internal
 */
import { binding, type NativeNs } from '../core/binding.js';
import { systemError } from '../core/errors.js';

/** One request's answer: its reply messages (possibly none), or the kernel's refusal. */
export type RawResult = Buffer | Error;

function isError(r: unknown): r is Error {
  return r instanceof Error;
}

/**
 * Sends requests (whole netlink messages, back to back) in one datagram, as an nf_tables batch
 * needs (BATCH_BEGIN … BATCH_END), and resolves with one result per request, in order.
 */
export async function netlinkTransact(ns: NativeNs, protocol: number, messages: Buffer, operation: string): Promise<RawResult[]> {
  let results: (Buffer | Error)[];
  try {
    results = await binding().netlink(ns, protocol, messages, false);
  } catch (e) {
    throw systemError(e, operation, ns);
  }
  return results.map((r) => (isError(r) ? (systemError(r, operation, ns) as Error) : r));
}

/** Runs one dump request; resolves with every reply message, concatenated. */
export async function netlinkDump(ns: NativeNs, protocol: number, message: Buffer, operation: string): Promise<Buffer> {
  try {
    return await binding().netlink(ns, protocol, message, true);
  } catch (e) {
    throw systemError(e, operation, ns);
  }
}
