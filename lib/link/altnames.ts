/**
 * Alternative link names (`ip link property add|del dev DEV altname NAME`): a link can carry
 * several names of up to 127 bytes besides its 15-byte one; they are read back as `Link.altnames`.
 */
import { k } from '../core/binding.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';
import { checkLinkRef, describeRef, linkKey, type LinkRef } from './links.js';

async function linkProp(type: 'RTM_NEWLINKPROP' | 'RTM_DELLINKPROP', ref: LinkRef, name: string, options: NetnsOption, op: string): Promise<void> {
  ref = checkLinkRef(ref);
  const altname = v.altname(name, 'name');
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    await transact(ns, [{ type: k(type), link: { ...linkKey(ref), altnames: [altname] } }], `${op} ${describeRef(ref)}`);
  } finally {
    release();
  }
}

/**
 * Gives a link an alternative name (up to 127 bytes; no '/', ':' or whitespace). A name some link
 * of the namespace already has (as its name or an altname) fails with EEXIST.
 *
 * `ip link property add dev DEV altname NAME`
 */
export function addAltname(link: LinkRef, name: string, options: NetnsOption = {}): Promise<void> {
  return linkProp('RTM_NEWLINKPROP', link, name, options, 'addAltname');
}

/**
 * Removes one of a link's alternative names; ENOENT if the link has no such altname.
 *
 * `ip link property del dev DEV altname NAME`
 */
export function deleteAltname(link: LinkRef, name: string, options: NetnsOption = {}): Promise<void> {
  return linkProp('RTM_DELLINKPROP', link, name, options, 'deleteAltname');
}
