/**
 * The nf_tables client: tables, chains and rules as messages, applied as one atomic batch
 * (optionally guarded by the ruleset's generation), and read back by dumps. Kernel refusals name
 * the message, and the expression the extended-ack offset points into.
 * @internal
 */
import { binding, k, type NativeNs } from '../core/binding.js';
import { NetdevError, systemError } from '../core/errors.js';
import { netlinkDump, netlinkTransact } from '../netlink/raw.js';
import { readExprs, writeExpr, type Expr } from './expr.js';
import { ATTRS_AT, AttrWriter, EMPTY, attrMap, attrs, batch, be32, be64, frame, messages, text, type Framed, type NftMessage } from './wire.js';

/** A message of a batch, with what to call it in an error and where its expressions start. */
export interface Part extends NftMessage {
  /** What an error calls the message (a function: built only when an error needs it). */
  label: string | (() => string);
  /** A rule's expressions (an error names the one its extended-ack offset points into). */
  exprs?: readonly Expr[];
}

/**
 * Rules that frame themselves into the batch (a bulk apply's: thousands of port forwards are not
 * thousands of messages first); an error still names the rule, and the expression.
 */
export interface RuleBlock extends Framed {
  /** What an error calls rule i of the block. */
  label(i: number): string;
  /** Rule i's expressions (made again only for an error). */
  exprs(i: number): readonly Expr[];
}

/** What a batch is made of. */
export type BatchPart = Part | RuleBlock;

const labelOf = (p: Part): string => (typeof p.label === 'string' ? p.label : p.label());

const INET = (): number => k('NFPROTO_INET');

export function newTable(name: string, flags: number): Part {
  const w = new AttrWriter().str(k('NFTA_TABLE_NAME'), name).be32(k('NFTA_TABLE_FLAGS'), flags);
  return { type: k('NFT_MSG_NEWTABLE'), flags: k('NLM_F_CREATE'), family: INET(), attrs: w.bytes(), label: `table ${name}` };
}

export function delTable(name: string): Part {
  return { type: k('NFT_MSG_DELTABLE'), flags: 0, family: INET(), attrs: new AttrWriter().str(k('NFTA_TABLE_NAME'), name).bytes(), label: `delete table ${name}` };
}

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
const HOOKS = { prerouting: 'NF_INET_PRE_ROUTING', input: 'NF_INET_LOCAL_IN', forward: 'NF_INET_FORWARD', output: 'NF_INET_LOCAL_OUT', postrouting: 'NF_INET_POST_ROUTING' } as const;

/** A base chain. */
export interface ChainSpec {
  name: string;
  type: 'nat' | 'filter';
  hook: Hook;
  priority: number;
  policy?: 'accept' | 'drop';
}

export function newChain(table: string, c: ChainSpec): Part {
  const w = new AttrWriter().str(k('NFTA_CHAIN_TABLE'), table).str(k('NFTA_CHAIN_NAME'), c.name);
  w.begin(k('NFTA_CHAIN_HOOK')).be32(k('NFTA_HOOK_HOOKNUM'), k(HOOKS[c.hook])).be32(k('NFTA_HOOK_PRIORITY'), c.priority >>> 0).end();
  if (c.policy !== undefined) w.be32(k('NFTA_CHAIN_POLICY'), k(c.policy === 'accept' ? 'NF_ACCEPT' : 'NF_DROP'));
  w.str(k('NFTA_CHAIN_TYPE'), c.type);
  return { type: k('NFT_MSG_NEWCHAIN'), flags: k('NLM_F_CREATE'), family: INET(), attrs: w.bytes(), label: `chain ${c.name}` };
}

export function newRule(table: string, chain: string, exprs: readonly Expr[], label: Part['label'], echo = false, record?: AttrWriter['record']): Part {
  const w = new AttrWriter().str(k('NFTA_RULE_TABLE'), table).str(k('NFTA_RULE_CHAIN'), chain);
  w.record = record;
  w.begin(k('NFTA_RULE_EXPRESSIONS'));
  try {
    for (const e of exprs) writeExpr(w, e);
  } catch (err) {
    w.abandon();
    throw err;
  }
  w.end();
  // NLM_F_ECHO: the kernel sends the rule back, with the handle it gave it.
  const flags = k('NLM_F_CREATE') | k('NLM_F_APPEND') | (echo ? NLM_F_ECHO : 0);
  return { type: k('NFT_MSG_NEWRULE'), flags, family: INET(), attrs: w.bytes(), label, exprs };
}

/**
 * A rule message made once for all rules of one shape (the same matches and statements, with
 * other addresses and ports): `bytes` is the framed message newRule() makes for `exprs`, and
 * `slots` are where the values of its unshared expressions are (cmp and immediate data, in the
 * order they are written; shared expressions (expr.ts shared()) are part of the shape). A rule
 * of the shape is `bytes` with its own values written at the slots: byte for byte what newRule()
 * makes for it (test/unit/nft-golden.test.mjs checks it).
 */
export interface RuleTemplate {
  bytes: Buffer;
  slots: { at: number; len: number }[];
}

export function ruleTemplate(table: string, chain: string, exprs: readonly Expr[]): RuleTemplate {
  const record: { at: number; len: number }[] = [];
  const bytes = frame([newRule(table, chain, exprs, '', false, record)]);
  return { bytes, slots: record.map((s) => ({ at: ATTRS_AT + s.at, len: s.len })) };
}

/** NLM_F_ECHO (include/uapi/linux/netlink.h): a flag of every netlink family, not in the table. */
const NLM_F_ECHO = 0x08;

export function delRule(table: string, chain: string, handle: bigint, label: string): Part {
  const w = new AttrWriter().str(k('NFTA_RULE_TABLE'), table).str(k('NFTA_RULE_CHAIN'), chain).be64(k('NFTA_RULE_HANDLE'), handle);
  return { type: k('NFT_MSG_DELRULE'), flags: 0, family: INET(), attrs: w.bytes(), label };
}

/** The ruleset's generation (NFT_MSG_GETGEN): a batch carrying it fails if anything changed since. */
export async function generation(ns: NativeNs, operation: string): Promise<number> {
  const req = frame([{ type: k('NFT_MSG_GETGEN'), flags: 0, family: k('AF_UNSPEC'), attrs: EMPTY }]);
  const [r] = await netlinkTransact(ns, k('NETLINK_NETFILTER'), req, operation);
  if (r instanceof Error) throw r;
  const gen = messages(r ?? EMPTY).map((m) => be32(attrMap(m.attrs).get(k('NFTA_GEN_ID'))));
  if (gen[0] === undefined) throw new NetdevError({ errnum: 71, syscall: 'nftables', operation, detail: 'no generation id in the reply to NFT_MSG_GETGEN' });
  return gen[0];
}

/** Where in part an extended-ack offset points: the expression, when it is inside one. */
function whereIn(part: Part, offset: number | undefined): string {
  if (offset === undefined || !part.exprs) return labelOf(part);
  // The expressions' list elements, found again in the message (offsets from its first byte).
  const list = attrs(part.attrs).find((a) => a.type === k('NFTA_RULE_EXPRESSIONS'));
  if (!list) return labelOf(part);
  let j = -1;
  let i = 0;
  for (const elem of attrs(list.value)) {
    if (ATTRS_AT + elem.value.byteOffset - 4 - part.attrs.byteOffset <= offset) j = i;
    i++;
  }
  const e = j < 0 ? undefined : part.exprs[j];
  if (!e) return labelOf(part);
  return `${labelOf(part)}, expression ${j + 1} (${e.type === 'verdict' ? 'immediate' : e.type === 'other' ? e.name : e.type})`;
}

/**
 * Applies parts as one transaction. Resolves with each message's echoed messages (a block's rules
 * are a message each); rejects with the first refusal, naming the part (and the rule of a block,
 * and the expression) it was about: nothing of the batch took effect.
 */
export async function apply(ns: NativeNs, parts: readonly BatchPart[], operation: string, opts: { owner?: boolean; genid?: number } = {}): Promise<Buffer[]> {
  let results: (Buffer | Error | undefined)[];
  try {
    // Framed into the shared buffer: nfBatch copies it before it returns (no await in between).
    results = await binding().nfBatch(ns, frame(batch(parts, opts.genid), true), opts.owner === true);
  } catch (e) {
    throw systemError(e, operation, ns);
  }
  const begin = results[0];
  if (begin instanceof Error) {
    const e = systemError(begin, operation, ns) as NetdevError;
    const why = e.code === 'ERESTART' ? 'the ruleset changed while this was being applied; nothing was changed' : 'the kernel refused the whole batch';
    throw new NetdevError({ errnum: e.errno < 0 ? -e.errno : e.errno, syscall: 'nftables', operation, detail: why });
  }
  // Message i (after BATCH_BEGIN) is part p's message j.
  let i = 1;
  for (const part of parts) {
    const n = isBlock(part) ? part.count : 1;
    for (let j = 0; j < n; j++, i++) {
      const r = results[i];
      if (!(r instanceof Error)) continue;
      const e = systemError(r, operation, ns) as NetdevError;
      throw new NetdevError({
        errnum: e.errno < 0 ? -e.errno : e.errno,
        syscall: 'nftables',
        operation,
        detail: `${whereIn(isBlock(part) ? blockPart(part, j) : part, e.extackOffset)}; nothing of the batch was applied`,
        ...(e.extack !== undefined ? { extack: e.extack } : {}),
        ...(e.extackOffset !== undefined ? { extackOffset: e.extackOffset } : {}),
      });
    }
  }
  return results.slice(1, -1).map((r) => (r === undefined || r instanceof Error ? EMPTY : r));
}

const isBlock = (p: BatchPart): p is RuleBlock => Object.hasOwn(p, 'write');

/** Rule j of a block as a part of its own (for an error: the block is written out again to find it). */
function blockPart(b: RuleBlock, j: number): Part {
  const bytes = Buffer.alloc(b.size);
  b.write(bytes, 0);
  let o = 0;
  for (let x = 0; x < j; x++) o += (bytes.readUInt32LE(o) + 3) & ~3;
  const len = bytes.readUInt32LE(o);
  return { type: k('NFT_MSG_NEWRULE'), flags: 0, family: INET(), attrs: bytes.subarray(o + ATTRS_AT, o + len), label: b.label(j), exprs: b.exprs(j) };
}

/** A table as a dump shows it. */
export interface TableInfo {
  name: string;
  flags: number;
  handle: bigint;
  /** The netlink port id of the socket that owns it (NFT_TABLE_F_OWNER). */
  owner?: number;
}

/** A chain as a dump shows it. */
export interface ChainInfo {
  name: string;
  handle: bigint;
  type?: string;
  hook?: Hook;
  priority?: number;
  policy?: 'accept' | 'drop';
}

/** A rule as a dump (or an echo) shows it. */
export interface RuleInfo {
  chain: string;
  handle: bigint;
  exprs: Expr[];
}

async function dump(ns: NativeNs, type: number, attrs: Buffer, operation: string): Promise<Buffer[]> {
  const req = frame([{ type, flags: k('NLM_F_DUMP'), family: INET(), attrs }]);
  const out = await netlinkDump(ns, k('NETLINK_NETFILTER'), req, operation);
  return messages(out).map((m) => m.attrs);
}

export async function listTables(ns: NativeNs, operation: string): Promise<TableInfo[]> {
  return (await dump(ns, k('NFT_MSG_GETTABLE'), EMPTY, operation)).map((a) => {
    const m = attrMap(a);
    const t: TableInfo = { name: text(m.get(k('NFTA_TABLE_NAME'))) ?? '', flags: be32(m.get(k('NFTA_TABLE_FLAGS'))) ?? 0, handle: be64(m.get(k('NFTA_TABLE_HANDLE'))) ?? 0n };
    const owner = be32(m.get(k('NFTA_TABLE_OWNER')));
    if (owner !== undefined) t.owner = owner;
    return t;
  });
}

const HOOK_NAMES = (): Map<number, Hook> => new Map((Object.entries(HOOKS) as [Hook, Parameters<typeof k>[0]][]).map(([n, c]) => [k(c), n]));

export async function listChains(ns: NativeNs, table: string, operation: string): Promise<ChainInfo[]> {
  const hooks = HOOK_NAMES();
  const all = await dump(ns, k('NFT_MSG_GETCHAIN'), EMPTY, operation);
  const out: ChainInfo[] = [];
  for (const a of all) {
    const m = attrMap(a);
    if (text(m.get(k('NFTA_CHAIN_TABLE'))) !== table) continue;
    const c: ChainInfo = { name: text(m.get(k('NFTA_CHAIN_NAME'))) ?? '', handle: be64(m.get(k('NFTA_CHAIN_HANDLE'))) ?? 0n };
    const type = text(m.get(k('NFTA_CHAIN_TYPE')));
    if (type !== undefined) c.type = type;
    const hook = m.get(k('NFTA_CHAIN_HOOK'));
    if (hook) {
      const h = attrMap(hook);
      const num = hooks.get(be32(h.get(k('NFTA_HOOK_HOOKNUM'))) ?? -1);
      if (num) c.hook = num;
      const prio = h.get(k('NFTA_HOOK_PRIORITY'));
      if (prio && prio.length >= 4) c.priority = prio.readInt32BE(0);
    }
    const policy = be32(m.get(k('NFTA_CHAIN_POLICY')));
    if (policy !== undefined) c.policy = policy === k('NF_ACCEPT') ? 'accept' : 'drop';
    out.push(c);
  }
  return out;
}

/** A rule message's content (a dump's, or an echo's). */
export function ruleOf(attrsBuf: Buffer): RuleInfo & { table: string } {
  const m = attrMap(attrsBuf);
  return {
    table: text(m.get(k('NFTA_RULE_TABLE'))) ?? '',
    chain: text(m.get(k('NFTA_RULE_CHAIN'))) ?? '',
    handle: be64(m.get(k('NFTA_RULE_HANDLE'))) ?? 0n,
    exprs: readExprs(m.get(k('NFTA_RULE_EXPRESSIONS')) ?? EMPTY),
  };
}

export async function listRules(ns: NativeNs, table: string, operation: string): Promise<RuleInfo[]> {
  const filter = new AttrWriter().str(k('NFTA_RULE_TABLE'), table).bytes();
  return (await dump(ns, k('NFT_MSG_GETRULE'), filter, operation)).map(ruleOf).filter((r) => r.table === table);
}

/** The rules echoed back in apply()'s results (NLM_F_ECHO). */
export function echoedRules(reply: Buffer): RuleInfo[] {
  return messages(reply)
    .filter((m) => m.type === k('NFT_MSG_NEWRULE'))
    .map((m) => ruleOf(m.attrs));
}

/**
 * Closes this environment's owner socket for the namespace when no table names it as owner any
 * more (checked in the addon under the socket's lock); whether it did.
 */
export async function releaseOwner(ns: NativeNs, operation: string): Promise<boolean> {
  try {
    return await binding().nfDropOwner(ns);
  } catch (e) {
    throw systemError(e, operation, ns);
  }
}

/** The port id of this environment's owner socket for the namespace (NFTA_TABLE_OWNER), 0 when none. */
export async function ownerPortid(ns: NativeNs, operation: string): Promise<number> {
  try {
    return await binding().nfOwnerPortid(ns);
  } catch (e) {
    throw systemError(e, operation, ns);
  }
}
