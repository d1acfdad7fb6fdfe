/**
 * Link kinds of their own, with no lower device: dummy, ifb, VRF, bond, and the kinds netdev
 * creates without settings (vcan, wireguard, team, nlmon); vxcan pairs.
 */
import type { WriteOf } from '../../core/contract.js';
import { invalidType } from '../../core/errors.js';
import type { Link } from '../links.js';
import type { CreateLinkOptions } from '../create.js';
import { handleFor, netnsOf, type NetnsRef } from '../../netns/netns.js';
import { checkData, common, create, pick, settingsOf } from './table.js';
import type { BondData } from './data.js';
import * as v from '../../core/validate.js';

/** A dummy link: a blackhole device (`ip link add NAME type dummy`). */
export const createDummy: (options: CreateLinkOptions) => Promise<Link> = kindOnly('dummy', 'createDummy');

/** An ifb (intermediate functional block) link, for ingress shaping (`ip link add NAME type ifb`). */
export const createIfb: (options: CreateLinkOptions) => Promise<Link> = kindOnly('ifb', 'createIfb');


/** Options of {@link createVrf}. */
export interface CreateVrfOptions extends CreateLinkOptions {
  /** The routing table the VRF uses. */
  table: number;
}

/**
 * Creates a VRF device; enslave links with `setLink(link, { master: vrf })`.
 *
 * `ip link add NAME type vrf table N`
 */
export async function createVrf(options: CreateVrfOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVrfOptions & Record<string, unknown>;
  const req = common(o, 'vrf', ['table']);
  if (o.table === undefined) throw invalidType('options.table', 'of type number', undefined);
  req.data = checkData('vrf', { table: o.table }, 'options');
  return create(o, req, {}, `createVrf ${req.name}`);
}


function kindOnly(kind: string, label: string) {
  return async (options: CreateLinkOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateLinkOptions & Record<string, unknown>;
    return create(o, common(o, kind, []), {}, `${label} ${o.name}`);
  };
}

/** A virtual CAN device. `ip link add NAME type vcan` */
export const createVcan: (options: CreateLinkOptions) => Promise<Link> = kindOnly('vcan', 'createVcan');

/**
 * A WireGuard link. Keys and peers are configured over generic netlink (`wg set`), which netdev
 * does not cover: this creates the link only. `ip link add NAME type wireguard`
 */
export const createWireguard: (options: CreateLinkOptions) => Promise<Link> = kindOnly('wireguard', 'createWireguard');

/**
 * A team link (needs the team module). Ports are enslaved with `setLink(port, { master })`; the
 * runner configuration needs teamd and is not covered. `ip link add NAME type team`
 */
export const createTeam: (options: CreateLinkOptions) => Promise<Link> = kindOnly('team', 'createTeam');

/** A netlink monitor device (captures netlink traffic). `ip link add NAME type nlmon` */
export const createNlmon: (options: CreateLinkOptions) => Promise<Link> = kindOnly('nlmon', 'createNlmon');


/** Bond modes. */
export type BondMode = NonNullable<WriteOf<BondData>['mode']>;

/** Options of {@link createBond}; times in milliseconds. Ports join with `setLink(port, { master })`. */
export interface CreateBondOptions extends CreateLinkOptions {
  mode?: BondMode;
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  peerNotifyDelay?: number;
  useCarrier?: boolean;
  arpInterval?: number;
  arpIpTarget?: string[];
  arpValidate?: 'none' | 'active' | 'backup' | 'all' | 'filter' | 'filter_active' | 'filter_backup';
  arpAllTargets?: 'any' | 'all';
  primaryReselect?: 'always' | 'better' | 'failure';
  failOverMac?: 'none' | 'active' | 'follow';
  xmitHashPolicy?: 'layer2' | 'layer3+4' | 'layer2+3' | 'encap2+3' | 'encap3+4' | 'vlan+srcmac';
  resendIgmp?: number;
  numPeerNotif?: number;
  allSlavesActive?: boolean;
  minLinks?: number;
  lpInterval?: number;
  packetsPerSlave?: number;
  lacpRate?: 'slow' | 'fast';
  adSelect?: 'stable' | 'bandwidth' | 'count';
  adActorSysPrio?: number;
  adUserPortKey?: number;
  adActorSystem?: string;
  tlbDynamicLb?: boolean;
  missedMax?: number;
}

const BOND_KEYS = settingsOf<CreateBondOptions, BondData>()([
  'mode', 'miimon', 'updelay', 'downdelay', 'peerNotifyDelay', 'useCarrier', 'arpInterval', 'arpIpTarget', 'arpValidate',
  'arpAllTargets', 'primaryReselect', 'failOverMac', 'xmitHashPolicy', 'resendIgmp', 'numPeerNotif', 'allSlavesActive',
  'minLinks', 'lpInterval', 'packetsPerSlave', 'lacpRate', 'adSelect', 'adActorSysPrio', 'adUserPortKey', 'adActorSystem',
  'tlbDynamicLb', 'missedMax',
]);

/**
 * Creates a bond. Its read-back info has `activeSlave` (an index); each port's `Link.port` has
 * its `state` (active/backup) and `miiStatus`.
 *
 * `ip link add NAME type bond mode M [miimon MS] [updelay MS] [downdelay MS] [arp_interval MS]
 * [arp_ip_target A,B] [arp_validate V] [primary_reselect R] [fail_over_mac F]
 * [xmit_hash_policy P] [min_links N] [lacp_rate slow|fast] [ad_select S] [all_slaves_active 0|1] …`
 */
export async function createBond(options: CreateBondOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateBondOptions & Record<string, unknown>;
  const req = common(o, 'bond', BOND_KEYS);
  req.data = checkData('bond', pick(o, BOND_KEYS), 'options');
  return create(o, req, {}, `createBond ${req.name}`);
}


/** Options of {@link createVxcan}: a virtual CAN tunnel, a pair like veth. */
export interface CreateVxcanOptions extends CreateLinkOptions {
  peer?: { name?: string; netns?: NetnsRef };
}

/**
 * Creates a vxcan pair, the peer optionally in another namespace.
 *
 * `ip link add NAME type vxcan peer name PEER [netns NS]`
 */
export async function createVxcan(options: CreateVxcanOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVxcanOptions & Record<string, unknown>;
  const req = common(o, 'vxcan', ['peer']);
  const peer = o.peer === undefined ? {} : v.object(o.peer, 'options.peer');
  v.knownKeys(peer, 'options.peer', ['name', 'netns']);
  req.peer = peer.name === undefined ? {} : { name: v.ifname(peer.name, 'options.peer.name') };
  const h = netnsOf(peer) === undefined ? undefined : await handleFor(netnsOf(peer) as NetnsRef);
  try {
    if (h) req.peer.targetNetns = h.handle;
    return await create(o, req, {}, `createVxcan ${req.name}`);
  } finally {
    h?.release();
  }
}
