/**
 * The Linux bridge as a link kind: its settings are the `bridge` table's rows (native/rtnl/kind_tables.cc:
 * timers in seconds, centiseconds on the wire; the VLAN protocol by name), like every other kind.
 * Ports, port VLANs and the FDB are in ../bridge.ts.
 */
import { type Link } from '../links.js';
import { COMMON_KEYS, type CreateLinkOptions } from '../create.js';
import type { Agrees, Checked, WriteOf } from '../../core/contract.js';
import { checkData, common, create, pick } from './table.js';
import { WRITABLE_KEYS, type BridgeData } from './data.js';
import * as v from '../../core/validate.js';

/** Options of {@link createBridge}. Timers in seconds. */
export interface CreateBridgeOptions extends CreateLinkOptions {
  /** Spanning tree on/off (`stp_state`). Default off. */
  stp?: boolean;
  /** `forward_delay` in seconds (2-30 when STP is on). */
  forwardDelay?: number;
  /** `hello_time` in seconds (1-10). */
  helloTime?: number;
  /** `max_age` in seconds (6-40). */
  maxAge?: number;
  /** `ageing_time` in seconds: how long learned MAC addresses are kept. */
  ageingTime?: number;
  /** Bridge priority (0-65535) for STP root election. */
  priority?: number;
  /** `vlan_filtering`: ports carry VLANs by per-port membership. */
  vlanFiltering?: boolean;
  /** `vlan_protocol`: 802.1Q (default) or 802.1ad. */
  vlanProtocol?: '802.1Q' | '802.1ad';
  /** `vlan_default_pvid` (0 disables; default 1). */
  defaultPvid?: number;
  /** `mcast_snooping` */
  mcastSnooping?: boolean;
  /** `mcast_querier` */
  mcastQuerier?: boolean;
  /** `group_fwd_mask` */
  groupFwdMask?: number;
}

/** @internal The settings of a bridge (createBridge): what its table can write. */
type BridgeKey = (typeof WRITABLE_KEYS.bridge)[number];
export const BRIDGE_KEYS: Checked<typeof WRITABLE_KEYS.bridge, Agrees<Pick<CreateBridgeOptions, BridgeKey>, Pick<WriteOf<BridgeData>, BridgeKey>>> = WRITABLE_KEYS.bridge;

/**
 * Creates a Linux bridge. Attach ports with `setLink(port, { master: bridge })`.
 *
 * `ip link add NAME type bridge [stp_state 0|1] [forward_delay cs] [hello_time cs] [max_age cs]
 * [ageing_time cs] [priority N] [vlan_filtering 0|1] [vlan_protocol P] [vlan_default_pvid N]
 * [mcast_snooping 0|1] [mcast_querier 0|1] [group_fwd_mask M]`
 */
export async function createBridge(options: CreateBridgeOptions): Promise<Link> {
  const o = v.options(options, 'options', [...COMMON_KEYS, ...BRIDGE_KEYS]) as CreateBridgeOptions & Record<string, unknown>;
  const req = common(o, 'bridge', BRIDGE_KEYS);
  req.data = checkData('bridge', pick(o, BRIDGE_KEYS), 'options');
  return create(o, req, {}, `createBridge ${req.name}`);
}
