/**
 * The request path: requests issued in the same tick for the same namespace are coalesced into
 * one native call (one sendmsg() for up to 32 of them, only the last asking for an ACK), which is
 * what makes many small operations cheap. Every request still gets its own result or error.
 * @internal
 */
import { binding, type Decoded, type NativeError, type NativeNs, type Request, type RequestResult } from '../core/binding.js';
import { expand } from './expand.js';
import { systemError } from '../core/errors.js';

interface Pending {
  requests: Request[];
  resolve: (results: RequestResult[]) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  ns: NativeNs;
  items: Pending[];
}

const MAX_PER_CALL = 64;
const DEFAULT_KEY = Symbol('current namespace');
const queues = new Map<unknown, Queue>();

function flush(key: unknown): void {
  const q = queues.get(key);
  queues.delete(key);
  if (!q) return;
  let batch: Pending[] = [];
  let count = 0;
  for (const item of q.items) {
    if (count > 0 && count + item.requests.length > MAX_PER_CALL) {
      dispatch(q.ns, batch);
      batch = [];
      count = 0;
    }
    batch.push(item);
    count += item.requests.length;
  }
  if (batch.length) dispatch(q.ns, batch);
}

function dispatch(ns: NativeNs, batch: Pending[]): void {
  const flat = batch.length === 1 ? batch[0]!.requests : batch.flatMap((p) => p.requests);
  let promise: Promise<RequestResult[]>;
  try {
    promise = binding().rtnl(ns, flat);
  } catch (e) {
    // A request the encoder refused: do not let it fail its neighbours.
    if (batch.length > 1) for (const p of batch) dispatch(ns, [p]);
    else batch[0]!.reject(e);
    return;
  }
  promise.then(
    (results) => {
      let off = 0;
      for (const p of batch) {
        p.resolve(results.slice(off, off + p.requests.length));
        off += p.requests.length;
      }
    },
    (e: unknown) => {
      for (const p of batch) p.reject(e);
    },
  );
}

/** Sends requests (kept together, in order) and resolves with their raw results. */
export function submit(ns: NativeNs, requests: Request[]): Promise<RequestResult[]> {
  const key = ns ?? DEFAULT_KEY;
  let q = queues.get(key);
  if (!q) {
    q = { ns, items: [] };
    queues.set(key, q);
    queueMicrotask(() => { flush(key); });
  }
  const queue = q;
  return new Promise((resolve, reject) => queue.items.push({ requests, resolve, reject }));
}

function isError(r: RequestResult): r is NativeError {
  return r instanceof Error;
}

/**
 * Sends requests and throws the first refusal as a NetdevError (operation names the call; an
 * ENODEV also names the namespace searched).
 * Resolves with the decoded replies of each request.
 */
export async function transact(ns: NativeNs, requests: Request[], operation: string): Promise<Decoded[][]> {
  const results = await transactEach(ns, requests, operation);
  const failed = results.find((r): r is Error => r instanceof Error);
  if (failed) throw failed;
  return results as Decoded[][];
}

/** Like transact, but reports each request's outcome instead of throwing the first failure. */
export async function transactEach(ns: NativeNs, requests: Request[], operation: string): Promise<(Decoded[] | Error)[]> {
  let results: RequestResult[];
  try {
    results = await submit(ns, requests);
  } catch (e) {
    throw systemError(e, operation, ns);
  }
  return results.map((r) => (isError(r) ? (systemError(r, operation, ns) as Error) : r ? expand(r) : []));
}

/** Runs a dump request and resolves with the decoded objects. */
export async function dump(ns: NativeNs, request: Request, operation: string): Promise<Decoded[]> {
  try {
    return expand(await binding().rtnlDump(ns, request));
  } catch (e) {
    throw systemError(e, operation, ns);
  }
}

/**
 * A dump whose records are the objects its family's decoder builds (Link, Route, Address, …): the
 * addon decodes each message type into one shape, checked by the contract and golden-bytes tests,
 * so the family that asked may see them as its type. The one narrowing of a reply, made here.
 */
export async function dumpAs<T extends object>(ns: NativeNs, request: Request, operation: string): Promise<T[]> {
  const all: object[] = await dump(ns, request, operation);
  return all as T[];
}

/** One reply record as the object its family's decoder builds (see dumpAs). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the caller's narrowing
export function decodedAs<T extends object>(d: Decoded): T {
  const o: object = d;
  return o as T;
}

/**
 * For bulk deletions (flushes): how many requests succeeded; refusals with `gone` (the object
 * vanished meanwhile) are not errors, any other is thrown.
 */
export function countRemoved(results: (Decoded[] | Error)[], gone: string): number {
  let removed = 0;
  for (const r of results) {
    if (!(r instanceof Error)) removed++;
    else if ((r as Error & { code?: string }).code !== gone) throw r;
  }
  return removed;
}
