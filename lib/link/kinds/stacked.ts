/**
 * Link kinds stacked on a parent link: VLAN, MACVLAN/MACVTAP, IPVLAN/IPVTAP and MACsec.
 */
import type { WriteOf } from '../../core/contract.js';
import { invalidType, invalidValue } from '../../core/errors.js';
import { checkLinkRef, type Link, type LinkRef } from '../links.js';
import { type CreateLinkOptions } from '../create.js';
import { checkData, common, create, pick, settingsOf } from './table.js';
import type { HsrData, IpvlanData, MacsecData, MacvlanData, VlanData } from './data.js';
import * as v from '../../core/validate.js';

/** Options of {@link createVlan}. */
export interface CreateVlanOptions extends CreateLinkOptions {
  /** The link the VLAN rides on. */
  parent: LinkRef;
  /** VLAN id, 0-4094 (0: priority tagging only). */
  id: number;
  /** `802.1Q` (default) or `802.1ad` (QinQ service tag). */
  protocol?: '802.1Q' | '802.1ad';
  reorderHdr?: boolean;
  gvrp?: boolean;
  mvrp?: boolean;
  looseBinding?: boolean;
  bridgeBinding?: boolean;
  /** `ingress-qos-map FROM:TO …`: VLAN priority (0-7) to skb priority. */
  ingressQos?: [number, number][];
  /** `egress-qos-map FROM:TO …`: skb priority to VLAN priority (0-7). */
  egressQos?: [number, number][];
}

const VLAN_KEYS = settingsOf<CreateVlanOptions, VlanData>()(['id', 'protocol', 'reorderHdr', 'gvrp', 'mvrp', 'looseBinding', 'bridgeBinding', 'ingressQos', 'egressQos']);

/**
 * Creates a VLAN sub-interface.
 *
 * `ip link add NAME link PARENT type vlan id ID [protocol 802.1Q|802.1ad] [reorder_hdr on|off]
 * [gvrp on|off] [mvrp on|off] [loose_binding on|off] [bridge_binding on|off]
 * [ingress-qos-map F:T …] [egress-qos-map F:T …]`
 */
export async function createVlan(options: CreateVlanOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVlanOptions & Record<string, unknown>;
  const req = common(o, 'vlan', ['parent', ...VLAN_KEYS]);
  if (o.id === undefined) throw invalidType('options.id', 'of type number', undefined);
  req.data = checkData('vlan', pick(o, VLAN_KEYS), 'options');
  return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `createVlan ${req.name}`);
}


export type MacvlanMode = NonNullable<WriteOf<MacvlanData>['mode']>;

/** Options of {@link createMacvlan} / {@link createMacvtap}. */
export interface CreateMacvlanOptions extends CreateLinkOptions {
  parent: LinkRef;
  /** Default `vepa` (the kernel's default). */
  mode?: MacvlanMode;
  /** passthru only: do not put the parent in promiscuous mode. */
  nopromisc?: boolean;
  nodst?: boolean;
  /** source mode: the allowed source MAC addresses. */
  macaddrs?: string[];
  /** Broadcast queue length. */
  bcQueueLen?: number;
}

const MACVLAN_KEYS = settingsOf<CreateMacvlanOptions, MacvlanData>()(['mode', 'nopromisc', 'nodst', 'macaddrs', 'bcQueueLen']);

function macvlanLike(kind: 'macvlan' | 'macvtap') {
  return async (options: CreateMacvlanOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateMacvlanOptions & Record<string, unknown>;
    const req = common(o, kind, ['parent', ...MACVLAN_KEYS]);
    const data = pick(o, MACVLAN_KEYS);
    if (data.macaddrs !== undefined) {
      if (o.mode !== 'source') throw invalidValue('options.macaddrs', o.macaddrs, "applies to mode 'source' only");
      data.macaddrMode = 'set';
    }
    req.data = checkData(kind, data, 'options');
    return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `create ${kind} ${req.name}`);
  };
}

/**
 * Creates a MACVLAN link on a parent.
 *
 * `ip link add NAME link PARENT type macvlan mode private|vepa|bridge|passthru [nopromisc]|source
 * [nodst] [macaddr set MAC …] [bcqueuelen N]`
 */
export const createMacvlan: (options: CreateMacvlanOptions) => Promise<Link> = macvlanLike('macvlan');

/**
 * Creates a MACVTAP link on a parent (its character device is /dev/tapINDEX).
 *
 * `ip link add NAME link PARENT type macvtap mode …` (same options as macvlan)
 */
export const createMacvtap: (options: CreateMacvlanOptions) => Promise<Link> = macvlanLike('macvtap');

/** Options of {@link createIpvlan} / {@link createIpvtap}. */
export interface CreateIpvlanOptions extends CreateLinkOptions {
  parent: LinkRef;
  /** Default `l3`. */
  mode?: NonNullable<WriteOf<IpvlanData>['mode']>;
  /** `bridge` (default), `private` or `vepa`. */
  flag?: 'bridge' | 'private' | 'vepa';
}

function ipvlanLike(kind: 'ipvlan' | 'ipvtap') {
  return async (options: CreateIpvlanOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateIpvlanOptions & Record<string, unknown>;
    const req = common(o, kind, ['parent', 'mode', 'flag']);
    const data: Record<string, unknown> = {};
    if (o.mode !== undefined) data.mode = o.mode;
    if (o.flag !== undefined) {
      if (o.flag !== 'bridge' && o.flag !== 'private' && o.flag !== 'vepa')
        throw invalidValue('options.flag', o.flag, "must be 'bridge', 'private' or 'vepa'");
      data.private = o.flag === 'private';
      data.vepa = o.flag === 'vepa';
    }
    req.data = checkData(kind, data, 'options');
    return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `create ${kind} ${req.name}`);
  };
}

/** Creates an IPVLAN link. `ip link add NAME link PARENT type ipvlan mode l2|l3|l3s [bridge|private|vepa]` */
export const createIpvlan: (options: CreateIpvlanOptions) => Promise<Link> = ipvlanLike('ipvlan');

/** Creates an IPVTAP link. `ip link add NAME link PARENT type ipvtap mode l2|l3|l3s [bridge|private|vepa]` */
export const createIpvtap: (options: CreateIpvlanOptions) => Promise<Link> = ipvlanLike('ipvtap');


/** Options of {@link createMacsec}. Keys and SAs are out of scope (generic netlink). */
export interface CreateMacsecOptions extends CreateLinkOptions {
  parent: LinkRef;
  /** Secure channel identifier as 16 hex digits; or `port` (the SCI is then the MAC + port). */
  sci?: string;
  port?: number;
  cipher?: 'gcm-aes-128' | 'gcm-aes-256' | 'gcm-aes-xpn-128' | 'gcm-aes-xpn-256';
  icvLen?: number;
  encrypt?: boolean;
  protect?: boolean;
  sendSci?: boolean;
  endStation?: boolean;
  scb?: boolean;
  replayProtect?: boolean;
  window?: number;
  validate?: 'disabled' | 'check' | 'strict';
  encodingSa?: number;
}

const MACSEC_KEYS = settingsOf<CreateMacsecOptions, MacsecData>()(['sci', 'port', 'cipher', 'icvLen', 'encrypt', 'protect', 'sendSci', 'endStation', 'scb', 'replayProtect', 'window', 'validate', 'encodingSa']);

/**
 * Creates a MACsec link on a parent (the link; key management is out of scope).
 *
 * `ip link add NAME link PARENT type macsec [sci HEX | port N] [cipher C] [icvlen N] [encrypt on|off]
 * [protect on|off] [send_sci on|off] [end_station on|off] [scb on|off] [replay on window N]
 * [validate disabled|check|strict] [encodingsa N]`
 */
export async function createMacsec(options: CreateMacsecOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateMacsecOptions & Record<string, unknown>;
  const req = common(o, 'macsec', ['parent', ...MACSEC_KEYS]);
  if (o.sci !== undefined && o.port !== undefined) throw invalidValue('options.port', o.port, 'conflicts with sci');
  if (o.window !== undefined && o.replayProtect !== true) throw invalidValue('options.window', o.window, 'needs replayProtect: true');
  req.data = checkData('macsec', pick(o, MACSEC_KEYS), 'options');
  return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `createMacsec ${req.name}`);
}


/** Options of {@link createHsr}. */
export interface CreateHsrOptions extends CreateLinkOptions {
  /** The two ring ports. */
  slave1: LinkRef;
  slave2: LinkRef;
  /** The interlink port to a non-redundant network (Linux 6.11+). */
  interlink?: LinkRef;
  /** The last byte of the supervision frames' multicast address (`supervision N`). */
  multicastSpec?: number;
  /** HSR version, 0 (HSRv0, the kernel's default) or 1. */
  version?: number;
  /** `hsr` (default) or `prp` (parallel redundancy). */
  protocol?: 'hsr' | 'prp';
}

const HSR_KEYS = settingsOf<CreateHsrOptions, HsrData>()(['multicastSpec', 'version', 'protocol']);

/**
 * Creates an HSR (or PRP) device over two ports. Its info reads back the ports' indexes, the
 * supervision address and the sequence number.
 *
 * `ip link add NAME type hsr slave1 DEV1 slave2 DEV2 [interlink DEV] [supervision N] [version 0|1] [proto 0|1]`
 */
export async function createHsr(options: CreateHsrOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateHsrOptions & Record<string, unknown>;
  const req = common(o, 'hsr', ['slave1', 'slave2', 'interlink', ...HSR_KEYS]);
  req.data = checkData('hsr', pick(o, HSR_KEYS), 'options');
  const links: Record<string, LinkRef> = { slave1: checkLinkRef(o.slave1, 'options.slave1'), slave2: checkLinkRef(o.slave2, 'options.slave2') };
  if (o.interlink !== undefined) links.interlink = checkLinkRef(o.interlink, 'options.interlink');
  return create(o, req, { links }, `createHsr ${req.name}`);
}
