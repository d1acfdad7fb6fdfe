/**
 * Replies in columnar batches (links and routes arrive as one batch per reply, far cheaper to
 * build in JS than object by object through N-API) are expanded into the objects lib/ returns
 * here. The transport knows no family: each family that decodes batches registers its expander
 * when its module loads (link/decode.ts, ip/route_decode.ts), so this layer never imports a
 * higher one.
 * @internal
 */
import type { Decoded } from '../core/binding.js';

/** One family's batches: how to tell them, and how to expand one into `out`, in order. */
export interface BatchExpander {
  is(d: Decoded): boolean;
  /** Appends the batch's objects (Link, Route, …: the family's own types) to `out`. */
  expand(d: Decoded, out: object[]): void;
}

const expanders: BatchExpander[] = [];

/** Registers a family's batch expander (once, at its module's load). */
export function registerBatches(e: BatchExpander): void {
  expanders.push(e);
}

function expanderOf(d: Decoded): BatchExpander | undefined {
  for (const e of expanders) if (e.is(d)) return e;
  return undefined;
}

/**
 * Replaces every batch in a decoded reply by its objects (in message order). They are returned as
 * records, like the rest of a reply: the family that asked narrows them to its own type.
 */
export function expand(decoded: Decoded[]): Decoded[] {
  if (!decoded.some((d) => expanderOf(d) !== undefined)) return decoded;
  const out: object[] = [];
  for (const d of decoded) {
    const e = expanderOf(d);
    if (e) e.expand(d, out);
    else out.push(d);
  }
  return out as Decoded[];
}
