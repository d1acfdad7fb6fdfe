/**
 * Route-based IPsec link kinds: VTI (IPv4 and IPv6) and XFRM interfaces. The links only; the
 * xfrm states and policies that give them traffic are configured over XFRM netlink (`ip xfrm`),
 * which netdev does not cover.
 */
import { invalidType, invalidValue } from '../../core/errors.js';
import { checkLinkRef, type Link, type LinkRef } from '../links.js';
import { type CreateLinkOptions } from '../create.js';
import { checkData, common, create, pick, settingsOf } from './table.js';
import type { VtiData, XfrmData } from './data.js';
import * as v from '../../core/validate.js';

/** Options of {@link createVti} and {@link createVti6}. */
export interface CreateVtiOptions extends CreateLinkOptions {
  /** Local endpoint: IPv4 for vti, IPv6 for vti6. */
  local?: string;
  /** Remote endpoint: IPv4 for vti, IPv6 for vti6. */
  remote?: string;
  /** The underlay device (`dev`). */
  device?: LinkRef;
  /** The same key (the xfrm mark) both ways (`key N`), or `ikey`/`okey` apart. */
  key?: number;
  ikey?: number;
  okey?: number;
  fwmark?: number;
}

const VTI_KEYS = settingsOf<CreateVtiOptions, VtiData>()(['local', 'remote', 'ikey', 'okey', 'fwmark']);

function vtiLike(kind: 'vti' | 'vti6') {
  return async (options: CreateVtiOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateVtiOptions & Record<string, unknown>;
    const req = common(o, kind, ['device', 'key', ...VTI_KEYS]);
    const data = pick(o, VTI_KEYS);
    if (o.key !== undefined) {
      if (o.ikey !== undefined || o.okey !== undefined) throw invalidValue('options.key', o.key, 'conflicts with ikey/okey');
      data.ikey = data.okey = o.key;
    }
    req.data = checkData(kind, data, 'options');
    return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `create ${kind} ${req.name}`);
  };
}

/**
 * Creates a VTI (virtual tunnel interface) over IPv4.
 *
 * `ip link add NAME type vti [local A] [remote B] [dev DEV] [key N | ikey N okey N] [fwmark N]`
 */
export const createVti: (options: CreateVtiOptions) => Promise<Link> = vtiLike('vti');

/**
 * Creates a VTI over IPv6.
 *
 * `ip link add NAME type vti6 [local A] [remote B] [dev DEV] [key N | ikey N okey N] [fwmark N]`
 */
export const createVti6: (options: CreateVtiOptions) => Promise<Link> = vtiLike('vti6');

/** Options of {@link createXfrm}. */
export interface CreateXfrmOptions extends CreateLinkOptions {
  /** The xfrm interface id that policies and states name (`if_id`), 1-4294967295; not with `external`. */
  ifId?: number;
  /** The underlay device (`dev`). */
  device?: LinkRef;
  /** Collect metadata (`external`, Linux 6.2+): the if_id comes from each packet's metadata. */
  external?: boolean;
}

const XFRM_KEYS = settingsOf<CreateXfrmOptions, XfrmData>()(['ifId', 'external']);

/**
 * Creates an XFRM interface.
 *
 * `ip link add NAME type xfrm if_id N [dev DEV]` or `ip link add NAME type xfrm external`
 */
export async function createXfrm(options: CreateXfrmOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateXfrmOptions & Record<string, unknown>;
  const req = common(o, 'xfrm', ['device', ...XFRM_KEYS]);
  if (o.ifId === undefined && o.external !== true) throw invalidType('options.ifId', 'of type number', undefined);
  if (o.ifId !== undefined && o.external === true) throw invalidValue('options.ifId', o.ifId, 'conflicts with external');
  req.data = checkData('xfrm', pick(o, XFRM_KEYS), 'options');
  return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `createXfrm ${req.name}`);
}
