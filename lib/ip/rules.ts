/**
 * Policy routing rules (`ip rule`).
 */
import { k, type Decoded, type RuleRequest } from '../core/binding.js';
import type { ConstantName } from '../core/contract.js';
import { invalidType, invalidValue } from '../core/errors.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import type { RouteTable } from './route_decode.js';
import { tableNumber } from './route_request.js';
import { dump, transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

/** What a rule does when it matches. */
export type RuleAction = 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

const ACTIONS: Record<RuleAction, ConstantName> = {
  table: 'FR_ACT_TO_TBL',
  goto: 'FR_ACT_GOTO',
  nop: 'FR_ACT_NOP',
  blackhole: 'FR_ACT_BLACKHOLE',
  unreachable: 'FR_ACT_UNREACHABLE',
  prohibit: 'FR_ACT_PROHIBIT',
};

/** A port or uid range. */
export interface Range {
  start: number;
  end: number;
}

/** A rule as the kernel reports it (`ip rule show`). */
export interface Rule {
  family: 4 | 6;
  priority: number;
  /** Source prefix (`from`); `'all'` when any. */
  from: string;
  /** Destination prefix (`to`); `'all'` when any. */
  to: string;
  iif?: string;
  oif?: string;
  fwmark?: number;
  fwmask?: number;
  tos: number;
  /** The table looked up (action `table`). */
  table: number;
  action: RuleAction | number;
  /** The rule's priority jumped to (action `goto`). */
  goto?: number;
  /** `not`: the match is inverted. */
  invert: boolean;
  suppressPrefixLength?: number;
  suppressIfgroup?: number;
  protocol?: number;
  ipProto?: number;
  l3mdev?: boolean;
  uidRange?: Range;
  sportRange?: Range;
  dportRange?: Range;
}

/** What {@link addRule} and {@link deleteRule} take. */
export interface RuleSpec extends NetnsOption {
  /** Default 4. */
  family?: 4 | 6;
  /** `pref N`: the kernel picks one below the last rule when omitted (on add). */
  priority?: number;
  /** `from PREFIX` (or an address). */
  from?: string;
  /** `to PREFIX`. */
  to?: string;
  /** `iif NAME`. */
  iif?: string;
  /** `oif NAME`. */
  oif?: string;
  /** `fwmark N[/MASK]`. */
  fwmark?: number;
  fwmask?: number;
  tos?: number;
  /** `lookup TABLE`: the action `table`. */
  table?: RouteTable;
  /** Default `table` when `table` is given, else required. */
  action?: RuleAction;
  /** `goto PRIORITY` (action `goto`). */
  goto?: number;
  /** `not`. */
  invert?: boolean;
  suppressPrefixLength?: number;
  suppressIfgroup?: number;
  /** `protocol N`. */
  protocol?: number;
  /** `ipproto N` (6 tcp, 17 udp, …). */
  ipProto?: number;
  /** `l3mdev`: look up the table of the VRF the packet is in. */
  l3mdev?: boolean;
  uidRange?: Range;
  sportRange?: Range;
  dportRange?: Range;
}

const KEYS = [
  'netns', 'family', 'priority', 'from', 'to', 'iif', 'oif', 'fwmark', 'fwmask', 'tos', 'table', 'action', 'goto', 'invert', 'suppressPrefixLength',
  'suppressIfgroup', 'protocol', 'ipProto', 'l3mdev', 'uidRange', 'sportRange', 'dportRange',
] as const;

function range(value: unknown, arg: string, max: number): Range {
  const o = v.object(value, arg);
  v.knownKeys(o, arg, ['start', 'end']);
  const start = v.integer(o.start, `${arg}.start`, 0, max);
  const end = v.integer(o.end, `${arg}.end`, start, max);
  return { start, end };
}

/** The spec a call works from: its snapshot (validate.ts), read once for every step. */
function specOf(spec: RuleSpec): RuleSpec {
  if (typeof spec !== 'object' || spec === null) throw invalidType('spec', 'a rule spec object', spec);
  return v.options(spec, 'spec', KEYS);
}

function ruleRequest(spec: RuleSpec, adding: boolean): RuleRequest {
  if (spec.family !== undefined && spec.family !== 4 && spec.family !== 6) throw invalidValue('spec.family', spec.family, 'must be 4 or 6');
  let family = spec.family;
  const prefix = (value: string | undefined, arg: string): v.Cidr | undefined => {
    if (value === undefined) return undefined;
    const c = v.cidr(value, arg);
    if (family !== undefined && c.family !== family) throw invalidValue(arg, value, `must be an IPv${family} prefix`);
    family = c.family;
    return c;
  };
  const from = prefix(spec.from, 'spec.from');
  const to = prefix(spec.to, 'spec.to');
  family ??= 4;
  const req: RuleRequest = { family: k(family === 4 ? 'AF_INET' : 'AF_INET6') };
  if (from) {
    req.src = from.address;
    req.srcLen = from.prefixLength;
  }
  if (to) {
    req.dst = to.address;
    req.dstLen = to.prefixLength;
  }
  if (spec.priority !== undefined) req.priority = v.integer(spec.priority, 'spec.priority', 0, 0xffffffff);
  if (spec.iif !== undefined) req.iif = v.ifname(spec.iif, 'spec.iif');
  if (spec.oif !== undefined) req.oif = v.ifname(spec.oif, 'spec.oif');
  if (spec.fwmark !== undefined) req.fwmark = v.integer(spec.fwmark, 'spec.fwmark', 0, 0xffffffff);
  if (spec.fwmask !== undefined) {
    if (spec.fwmark === undefined) throw invalidValue('spec.fwmask', spec.fwmask, 'needs fwmark');
    req.fwmask = v.integer(spec.fwmask, 'spec.fwmask', 0, 0xffffffff);
  }
  if (spec.tos !== undefined) req.tos = v.integer(spec.tos, 'spec.tos', 0, 255);
  if (spec.table !== undefined) req.table = tableNumber(spec.table, 'spec.table');
  if (spec.action !== undefined && v.lookup(ACTIONS, spec.action) === undefined)
    throw invalidValue('spec.action', spec.action, `must be one of ${Object.keys(ACTIONS).join(', ')}`);
  const action = spec.action ?? (spec.table !== undefined || spec.l3mdev ? 'table' : spec.goto !== undefined ? 'goto' : undefined);
  if (action === undefined && adding) throw invalidValue('spec', spec, 'needs a table, an action or goto');
  if (action !== undefined) req.action = k(ACTIONS[action]);
  if (spec.goto !== undefined) {
    if (action !== 'goto') throw invalidValue('spec.goto', spec.goto, "applies to action 'goto'");
    req.goto = v.integer(spec.goto, 'spec.goto', 0, 0xffffffff);
  }
  if (spec.invert !== undefined && v.bool(spec.invert, 'spec.invert')) req.flags = k('FIB_RULE_INVERT');
  if (spec.suppressPrefixLength !== undefined) req.suppressPrefixLength = v.integer(spec.suppressPrefixLength, 'spec.suppressPrefixLength', 0, 128);
  if (spec.suppressIfgroup !== undefined) req.suppressIfgroup = v.integer(spec.suppressIfgroup, 'spec.suppressIfgroup', 0, 0x7fffffff);
  if (spec.protocol !== undefined) req.protocol = v.integer(spec.protocol, 'spec.protocol', 0, 255);
  if (spec.ipProto !== undefined) req.ipProto = v.integer(spec.ipProto, 'spec.ipProto', 0, 255);
  if (spec.l3mdev !== undefined) req.l3mdev = v.bool(spec.l3mdev, 'spec.l3mdev');
  if (spec.uidRange !== undefined) req.uidRange = range(spec.uidRange, 'spec.uidRange', 0xffffffff);
  if (spec.sportRange !== undefined) req.sportRange = range(spec.sportRange, 'spec.sportRange', 65535);
  if (spec.dportRange !== undefined) req.dportRange = range(spec.dportRange, 'spec.dportRange', 65535);
  return req;
}

/** @internal */
export function toRule(d: Decoded): Rule {
  const family = d.family as 4 | 6;
  const prefix = (addr: unknown, len: unknown): string => (addr === undefined ? 'all' : `${addr as string}/${len as number}`);
  const action = d.action as number;
  const r: Rule = {
    family,
    priority: (d.priority as number | undefined) ?? 0,
    from: prefix(d.src, d.srcLen),
    to: prefix(d.dst, d.dstLen),
    tos: d.tos as number,
    table: d.table as number,
    action: (Object.entries(ACTIONS).find(([, c]) => k(c) === action)?.[0] as RuleAction | undefined) ?? action,
    invert: ((d.flags as number) & k('FIB_RULE_INVERT')) !== 0,
  };
  for (const key of ['iif', 'oif', 'fwmark', 'fwmask', 'goto', 'suppressPrefixLength', 'suppressIfgroup', 'protocol', 'ipProto', 'l3mdev', 'uidRange', 'sportRange', 'dportRange'] as const)
    if (d[key] !== undefined) Object.assign(r, { [key]: d[key] });
  return r;
}

/**
 * Adds a policy routing rule.
 *
 * `ip rule add [not] [from P] [to P] [iif D] [oif D] [fwmark M/MASK] [tos T] [pref N]
 * [ipproto N] [sport A-B] [dport A-B] [uidrange A-B] [l3mdev] lookup TABLE | goto N | blackhole | unreachable | prohibit | nop
 * [suppress_prefixlength N] [suppress_ifgroup G]`
 */
export async function addRule(spec: RuleSpec): Promise<void> {
  spec = specOf(spec);
  const req = ruleRequest(spec, true);
  const { ns, release } = resolveNetns(netnsOf(spec));
  try {
    await transact(ns, [{ type: k('RTM_NEWRULE'), flags: k('NLM_F_CREATE') | k('NLM_F_EXCL'), rule: req }], 'addRule');
  } finally {
    release();
  }
}

/** Deletes the first rule matching every field given. `ip rule del …` (ENOENT if none) */
export async function deleteRule(spec: RuleSpec): Promise<void> {
  spec = specOf(spec);
  const req = ruleRequest(spec, false);
  const { ns, release } = resolveNetns(netnsOf(spec));
  try {
    await transact(ns, [{ type: k('RTM_DELRULE'), rule: req }], 'deleteRule');
  } finally {
    release();
  }
}

/** Lists rules, by priority. `ip [-4|-6] rule show` */
export async function listRules(options: NetnsOption & { family?: 4 | 6 } = {}): Promise<Rule[]> {
  options = v.options(options, 'options', ['netns', 'family']);
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) throw invalidValue('options.family', options.family, 'must be 4 or 6');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const family = options.family === undefined ? k('AF_UNSPEC') : k(options.family === 4 ? 'AF_INET' : 'AF_INET6');
    const all = await dump(ns, { type: k('RTM_GETRULE'), rule: { family } }, 'listRules');
    return all.map(toRule).sort((a, b) => a.family - b.family || a.priority - b.priority);
  } finally {
    release();
  }
}
