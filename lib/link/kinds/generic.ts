/**
 * Any kind: createLinkOfKind (typed settings where netdev has a table, raw attributes else) and
 * setLinkData (changing a live link's settings).
 */
import * as os from 'node:os';
import { k } from '../../core/binding.js';
import { invalidType, invalidValue, refusedByState } from '../../core/errors.js';
import { checkLinkRef, describeRef, indexOf, linkKey, readLink, type Link, type LinkRef } from '../links.js';
import { type CreateLinkOptions } from '../create.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../../netns/netns.js';
import { transact } from '../../netlink/rtnl.js';
import { MAX_INFO_DATA, anyKindHas, checkData, common, create, table, wholeAttributes } from './table.js';
import * as v from '../../core/validate.js';

/** Options of {@link createLinkOfKind}: any kind, with typed settings where netdev has a table. */
export interface CreateAnyLinkOptions extends CreateLinkOptions {
  kind: string;
  parent?: LinkRef;
  /** Kind settings in the kernel's names and units, validated when netdev knows the kind. */
  data?: Record<string, unknown>;
  /** Raw IFLA_INFO_DATA attributes, for kinds or attributes netdev does not know yet. */
  infoData?: Buffer;
}

/**
 * The escape hatch: creates a link of any kind. Known kinds' `data` is validated like the typed
 * functions do; `infoData` passes raw attributes through for everything else.
 *
 * `ip link add NAME [link PARENT] type KIND …`
 */
export async function createLinkOfKind(options: CreateAnyLinkOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateAnyLinkOptions & Record<string, unknown>;
  const kind = v.linkKind(o.kind, 'options.kind');
  const req = common(o, kind, ['kind', 'parent', 'data', 'infoData']);
  if (o.data !== undefined) req.data = checkData(kind, v.object(o.data, 'options.data'), 'options.data');
  if (o.infoData !== undefined) {
    if (!Buffer.isBuffer(o.infoData)) throw invalidType('options.infoData', 'a Buffer', o.infoData);
    // It travels inside IFLA_LINKINFO, whose length (with the kind's) must fit netlink's u16.
    if (o.infoData.length > MAX_INFO_DATA) throw invalidValue('options.infoData', o.infoData, `must be at most ${MAX_INFO_DATA} bytes`, true);
    if (o.data !== undefined) throw invalidValue('options.infoData', o.infoData, 'conflicts with data');
    if (!wholeAttributes(o.infoData)) throw invalidValue('options.infoData', o.infoData, 'must be whole netlink attributes (struct rtattr: u16 length, u16 type, data, padded to 4 bytes)');
    req.infoData = o.infoData;
  }
  return create(o, req, o.parent !== undefined ? { parent: checkLinkRef(o.parent, 'options.parent') } : {}, `create ${kind} ${req.name}`);
}


/**
 * Changes kind-specific settings of an existing link (the kernel's changelink), validated against
 * the kind's table. Some settings only make sense afterwards, such as a bond's `activeSlave` or
 * `primary` (an index or name of one of its ports), and the kernel refuses some changes on a live
 * link (a VXLAN's VNI, for instance) with its own extack text. A bridge takes the settings of
 * {@link createBridge} (`stp`, `mcastSnooping`, `vlanFiltering`, `defaultPvid`, timers in seconds, …).
 *
 * `ip link set DEV type KIND SETTING VALUE …` (a bridge: `ip link set BR type bridge mcast_snooping 0
 * vlan_filtering 1 vlan_default_pvid N …`)
 */
export async function setLinkData(link: LinkRef, data: Record<string, unknown>, options: NetnsOption = {}): Promise<void> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ['netns']);
  const d = { ...v.object(data, 'data') };
  // A setting no kind has is a typo, refused now; whether this link's kind has it is known once
  // the link is read (and its values are checked against that kind's table then).
  for (const [key, value] of Object.entries(d)) if (value !== undefined && !anyKindHas(key)) throw invalidValue(`data.${key}`, value, 'is not a setting of any link kind');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const op = `setLinkData ${describeRef(link)}`;
    const current = await readLink(ns, linkKey(link), op);
    if (!current.kind) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, 'a link without a kind has no settings to change');
    const fields = table(current.kind);
    if (!fields) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, `netdev has no settings table for kind '${current.kind}'`);
    for (const [key, value] of Object.entries(d))
      if (value !== undefined && !fields.some((f) => f.key === key)) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, `a ${current.kind} link has no setting '${key}'`);
    // Port references (bond activeSlave / primary) may be given by name.
    for (const key of ['activeSlave', 'primary']) {
      const ref = d[key];
      if (current.kind === 'bond' && (typeof ref === 'string' || (typeof ref === 'object' && ref !== null)))
        d[key] = await indexOf(ns, checkLinkRef(ref, `data.${key}`), `data.${key}`);
    }
    const checked = checkData(current.kind, d, 'data');
    await transact(ns, [{ type: k('RTM_NEWLINK'), link: { index: current.index, kind: current.kind, data: checked } }], `setLinkData ${current.name}`);
  } finally {
    release();
  }
}
