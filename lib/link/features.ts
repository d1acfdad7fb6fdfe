/**
 * A link's offload features (`ethtool -k` / `ethtool -K`) over the ethtool generic-netlink family:
 * no ethtool binary. The names are the kernel's (`tx-checksum-ip-generic`, `rx-gro`, …) or
 * ethtool's legacy groups (`tx-checksumming` / `tx`, `sg`, `tso`, `gso`, `gro`, …), which stand for
 * every feature of the group the device can change, as `ethtool -K DEV tx off` does.
 */
import { k, type NativeNs } from '../core/binding.js';
import { NetdevError, invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';
import { netlinkTransact } from '../netlink/raw.js';
import { inNetns, type NetnsOption } from '../netns/netns.js';
import { checkLinkRef, describeRef, type LinkRef } from './links.js';

/** One feature of a link. */
export interface LinkFeature {
  /** On now. */
  active: boolean;
  /** The device cannot change it (`[fixed]` in `ethtool -k`). */
  fixed: boolean;
}

/** ethtool's legacy group names (ethtool's off_flag_def), and the kernel features each stands for. */
const GROUPS: Readonly<Record<string, RegExp>> = {
  'rx-checksumming': /^rx-checksum$/,
  'tx-checksumming': /^tx-checksum-/,
  'scatter-gather': /^tx-scatter-gather/,
  'tcp-segmentation-offload': /^tx-tcp.*-segmentation$/,
  'udp-fragmentation-offload': /^tx-udp-fragmentation$/,
  'generic-segmentation-offload': /^tx-generic-segmentation$/,
  'generic-receive-offload': /^rx-gro$/,
  'large-receive-offload': /^rx-lro$/,
  'rx-vlan-offload': /^rx-vlan-hw-parse$/,
  'tx-vlan-offload': /^tx-vlan-hw-insert$/,
  'ntuple-filters': /^rx-ntuple-filter$/,
  'receive-hashing': /^rx-hashing$/,
};
const SHORT: Readonly<Record<string, string>> = {
  rx: 'rx-checksumming', tx: 'tx-checksumming', sg: 'scatter-gather', tso: 'tcp-segmentation-offload', ufo: 'udp-fragmentation-offload',
  gso: 'generic-segmentation-offload', gro: 'generic-receive-offload', lro: 'large-receive-offload', rxvlan: 'rx-vlan-offload',
  txvlan: 'tx-vlan-offload', ntuple: 'ntuple-filters', rxhash: 'receive-hashing',
};
/** The kernel (or the device) refuses what the arguments allowed: errnum and why, in `detail`. */
const refused = (errnum: number, operation: string, detail: string): NetdevError => new NetdevError({ errnum, syscall: 'ethtool', operation, detail });

/** A kernel feature name: lower-case words joined by '-' (netdev_features_strings). */
const FEATURE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

// --- generic netlink messages -------------------------------------------------------------------

const NLA_F_NESTED = 0x8000;
const align4 = (n: number): number => (n + 3) & ~3;

function attr(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(align4(4 + value.length));
  out.writeUInt16LE(4 + value.length, 0);
  out.writeUInt16LE(type, 2);
  value.copy(out, 4);
  return out;
}
const nest = (type: number, parts: Buffer[]): Buffer => attr(type | NLA_F_NESTED, Buffer.concat(parts));
const str = (type: number, s: string): Buffer => attr(type, Buffer.from(`${s}\0`));
function u32(type: number, n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return attr(type, b);
}
const flag = (type: number): Buffer => attr(type, Buffer.alloc(0));

/** Attributes of a buffer, by type (the last of a type wins; nested flag masked off). */
function attrs(b: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const [type, value] of attrList(b)) out.set(type, value);
  return out;
}
function attrList(b: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (let o = 0; o + 4 <= b.length; ) {
    const len = b.readUInt16LE(o);
    if (len < 4 || o + len > b.length) break;
    out.push([b.readUInt16LE(o + 2) & 0x3fff, b.subarray(o + 4, o + len)]);
    o += align4(len);
  }
  return out;
}
const text = (b: Buffer | undefined): string | undefined => (b === undefined ? undefined : b.toString('utf8', 0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)));

/** One generic-netlink request (nlmsghdr, genlmsghdr, attributes); seq and port are the transport's. */
function request(family: number, cmd: number, version: number, body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  const m = Buffer.alloc(20 + payload.length);
  m.writeUInt32LE(m.length, 0);
  m.writeUInt16LE(family, 4);
  m[16] = cmd;
  m[17] = version;
  payload.copy(m, 20);
  return m;
}

/** The attributes of each reply message (after its genlmsghdr). */
function replies(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o + 20 <= b.length; ) {
    const len = b.readUInt32LE(o);
    if (len < 16 || o + len > b.length) break;
    if (len >= 20) out.push(b.subarray(o + 20, o + len));
    o += align4(len);
  }
  return out;
}

async function ask(ns: NativeNs, msg: Buffer, operation: string): Promise<Buffer[]> {
  const [r] = await netlinkTransact(ns, k('NETLINK_GENERIC'), msg, operation);
  if (r instanceof Error) throw r;
  return replies(r ?? Buffer.alloc(0));
}

let ethtoolFamily: number | undefined;

/** The id of the `ethtool` generic-netlink family (one for the whole system; asked once). */
async function family(ns: NativeNs, operation: string): Promise<number> {
  if (ethtoolFamily !== undefined) return ethtoolFamily;
  let got: Buffer[];
  try {
    got = await ask(ns, request(k('GENL_ID_CTRL'), k('CTRL_CMD_GETFAMILY'), 1, [str(k('CTRL_ATTR_FAMILY_NAME'), 'ethtool')]), operation);
  } catch (e) {
    if (e instanceof NetdevError && e.code === 'ENOENT') throw refused(95, operation, 'this kernel has no ethtool netlink interface (Linux 5.6+)');
    throw e;
  }
  const id = attrs(got[0] ?? Buffer.alloc(0)).get(k('CTRL_ATTR_FAMILY_ID'));
  if (!id || id.length < 2) throw new NetdevError({ errnum: 71, syscall: 'genetlink', operation, detail: 'no family id in the reply' });
  ethtoolFamily = id.readUInt16LE(0);
  return ethtoolFamily;
}

function header(ref: LinkRef): Buffer {
  return nest(k('ETHTOOL_A_FEATURES_HEADER'), [typeof ref === 'string' ? str(k('ETHTOOL_A_HEADER_DEV_NAME'), ref) : u32(k('ETHTOOL_A_HEADER_DEV_INDEX'), typeof ref === 'number' ? ref : ref.index)]);
}

/** The names of a verbose bitset: those listed with their value set (a list: every one listed). */
function bitNames(b: Buffer | undefined): Set<string> {
  const out = new Set<string>();
  if (!b) return out;
  const top = attrs(b);
  const list = top.has(k('ETHTOOL_A_BITSET_NOMASK'));
  const bits = top.get(k('ETHTOOL_A_BITSET_BITS'));
  for (const [type, value] of attrList(bits ?? Buffer.alloc(0))) {
    if (type !== k('ETHTOOL_A_BITSET_BITS_BIT')) continue;
    const bit = attrs(value);
    const name = text(bit.get(k('ETHTOOL_A_BITSET_BIT_NAME')));
    if (name !== undefined && (list || bit.has(k('ETHTOOL_A_BITSET_BIT_VALUE')))) out.add(name);
  }
  return out;
}

interface State {
  names: string[];
  active: Set<string>;
  wanted: Set<string>;
  changeable: Set<string>;
}

async function state(ns: NativeNs, ref: LinkRef, operation: string): Promise<State> {
  const fam = await family(ns, operation);
  const version = k('ETHTOOL_GENL_VERSION');
  const strsetHeader = nest(k('ETHTOOL_A_STRSET_HEADER'), [typeof ref === 'string' ? str(k('ETHTOOL_A_HEADER_DEV_NAME'), ref) : u32(k('ETHTOOL_A_HEADER_DEV_INDEX'), typeof ref === 'number' ? ref : ref.index)]);
  const sets = nest(k('ETHTOOL_A_STRSET_STRINGSETS'), [nest(k('ETHTOOL_A_STRINGSETS_STRINGSET'), [u32(k('ETHTOOL_A_STRINGSET_ID'), k('ETH_SS_FEATURES'))])]);
  const [[strs], [feats]] = await Promise.all([
    ask(ns, request(fam, k('ETHTOOL_MSG_STRSET_GET'), version, [strsetHeader, sets]), operation),
    ask(ns, request(fam, k('ETHTOOL_MSG_FEATURES_GET'), version, [header(ref)]), operation),
  ]);
  const names: string[] = [];
  const set = attrs(attrs(attrs(strs ?? Buffer.alloc(0)).get(k('ETHTOOL_A_STRSET_STRINGSETS')) ?? Buffer.alloc(0)).get(k('ETHTOOL_A_STRINGSETS_STRINGSET')) ?? Buffer.alloc(0));
  for (const [type, value] of attrList(set.get(k('ETHTOOL_A_STRINGSET_STRINGS')) ?? Buffer.alloc(0))) {
    if (type !== k('ETHTOOL_A_STRINGS_STRING')) continue;
    const name = text(attrs(value).get(k('ETHTOOL_A_STRING_VALUE')));
    if (name) names.push(name);
  }
  const f = attrs(feats ?? Buffer.alloc(0));
  return {
    names,
    active: bitNames(f.get(k('ETHTOOL_A_FEATURES_ACTIVE'))),
    wanted: bitNames(f.get(k('ETHTOOL_A_FEATURES_WANTED'))),
    changeable: bitNames(f.get(k('ETHTOOL_A_FEATURES_HW'))),
  };
}

/**
 * A link's offload features, by the kernel's names: whether each is on, and whether the device
 * can change it.
 *
 * `ethtool -k DEV` (`ethtool --show-features`)
 */
export async function getLinkFeatures(link: LinkRef, options: NetnsOption = {}): Promise<Record<string, LinkFeature>> {
  const ref = checkLinkRef(link);
  options = v.options(options, 'options', ['netns']);
  const operation = `getLinkFeatures ${describeRef(ref)}`;
  const st = await inNetns(options, (ns) => state(ns, ref, operation));
  const out: Record<string, LinkFeature> = {};
  for (const n of st.names) out[n] = { active: st.active.has(n), fixed: !st.changeable.has(n) };
  return out;
}

/**
 * Turns offload features on or off: `{ 'tx-checksumming': false }` (every transmit checksum
 * offload the device can change), `{ 'rx-gro': true }`, `{ tso: false }`. Features the device
 * cannot change are refused (EOPNOTSUPP) before anything changes, and if the kernel does not apply
 * every change asked for, the others are undone and it rejects (EINVAL) naming them.
 *
 * `ethtool -K DEV tx off gro on …` (`ethtool --features`)
 */
export async function setLinkFeatures(link: LinkRef, features: Record<string, boolean>, options: NetnsOption = {}): Promise<void> {
  const ref = checkLinkRef(link);
  const want = v.object(features, 'features');
  for (const [name, on] of Object.entries(want)) {
    if (!FEATURE_NAME.test(name) && !Object.hasOwn(SHORT, name)) throw invalidValue(`features.${name}`, on, 'is not a feature name');
    if (typeof on !== 'boolean') throw invalidType(`features.${name}`, 'of type boolean', on);
  }
  options = v.options(options, 'options', ['netns']);
  const operation = `setLinkFeatures ${describeRef(ref)}`;
  await inNetns(options, async (ns) => {
    const st = await state(ns, ref, operation);
    const target = new Map<string, boolean>();
    for (const [given, on] of Object.entries(want) as [string, boolean][]) {
      const group = GROUPS[SHORT[given] ?? given];
      if (group) {
        const members = st.names.filter((n) => group.test(n));
        const changeable = members.filter((n) => st.changeable.has(n));
        if (changeable.length === 0 && members.some((n) => st.active.has(n) !== on))
          throw refused(95, operation, `the device cannot change ${given} (${members.join(', ') || 'no such features'})`);
        for (const n of changeable) target.set(n, on);
      } else {
        if (!st.names.includes(given)) throw refused(95, operation, `this kernel has no feature ${given}`);
        if (!st.changeable.has(given)) {
          if (st.active.has(given) !== on) throw refused(95, operation, `${given} is fixed ${st.active.has(given) ? 'on' : 'off'} on this device`);
          continue;
        }
        target.set(given, on);
      }
    }
    if (target.size === 0) return;
    const fam = await family(ns, operation);
    const send = (m: Map<string, boolean>): Promise<Buffer[]> => {
      const bits = [...m].map(([n, on]) => nest(k('ETHTOOL_A_BITSET_BITS_BIT'), [str(k('ETHTOOL_A_BITSET_BIT_NAME'), n), ...(on ? [flag(k('ETHTOOL_A_BITSET_BIT_VALUE'))] : [])]));
      return ask(ns, request(fam, k('ETHTOOL_MSG_FEATURES_SET'), k('ETHTOOL_GENL_VERSION'), [header(ref), nest(k('ETHTOOL_A_FEATURES_WANTED'), [nest(k('ETHTOOL_A_BITSET_BITS'), bits)])]), operation);
    };
    await send(target);
    const after = await state(ns, ref, operation);
    const missed = [...target].filter(([n, on]) => after.active.has(n) !== on).map(([n]) => n);
    if (missed.length) {
      // Undo what did change: the features asked for get the wanted state they had.
      await send(new Map([...target.keys()].map((n) => [n, st.wanted.has(n)]))).catch(() => undefined);
      throw refused(22, operation, `the kernel did not apply ${missed.join(', ')} (a feature it depends on is off?); nothing was changed`);
    }
  });
}
