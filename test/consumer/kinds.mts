// Consumer fixture (scripts/check-consumer.mjs): the typed read-back of every link kind netdev
// knows, as a strict TypeScript user writes it. Narrowing on `kind` alone types `info` as that
// kind's settings (generated from the addon's tables); isKind narrows to the kind exactly.
// Type-checked only (tsc --strict, module nodenext), never run.
import { isKind, listLinks, type Link } from 'netdev';

const links: Link[] = await listLinks();
const seen: unknown[] = [];
for (const l of links) {
  if (l.kind === 'bridge') seen.push(l.info.stp, l.info.forwardDelay, l.info.vlanFiltering, l.info.vlanProtocol, l.info.bridgeId);
  if (l.kind === 'vlan') seen.push(l.info.id, l.info.protocol, l.info.ingressQos);
  if (l.kind === 'vxlan') seen.push(l.info.vni, l.info.remote, l.info.multicastGroup, l.info.local, l.info.port, l.info.srcPortRange);
  if (l.kind === 'macvlan' || l.kind === 'macvtap') seen.push(l.info.mode, l.info.macaddrs, l.info.bcQueueLen);
  if (l.kind === 'ipvlan' || l.kind === 'ipvtap') seen.push(l.info.mode, l.info.private, l.info.vepa);
  if (l.kind === 'vrf') seen.push(l.info.table);
  if (l.kind === 'bond') seen.push(l.info.mode, l.info.miimon, l.info.arpIpTarget, l.info.adActorSystem);
  if (l.kind === 'gre' || l.kind === 'gretap') seen.push(l.info.ikey, l.info.icsum, l.info.oseq, l.info.remote, l.info.ttl);
  if (l.kind === 'ip6gre' || l.kind === 'ip6gretap') seen.push(l.info.okey, l.info.iseq, l.info.encapLimit, l.info.flowinfo);
  if (l.kind === 'geneve') seen.push(l.info.vni, l.info.remote, l.info.df);
  if (l.kind === 'ipip' || l.kind === 'sit') seen.push(l.info.local, l.info.proto, l.info.pmtudisc);
  if (l.kind === 'macsec') seen.push(l.info.sci, l.info.cipher, l.info.encrypt, l.info.validate);
  if (l.kind === 'veth' || l.kind === 'vxcan') seen.push(l.info.peerIndex);
  if (l.kind === 'ip6tnl') seen.push(l.info.local, l.info.encapLimit, l.info.flowinfo);
  if (l.kind === 'vti' || l.kind === 'vti6') seen.push(l.info.ikey, l.info.okey, l.info.remote, l.info.fwmark);
  if (l.kind === 'xfrm') seen.push(l.info.ifId, l.info.external);
  if (l.kind === 'erspan' || l.kind === 'ip6erspan') seen.push(l.info.ikey, l.info.iseq, l.info.local);
  if (l.kind === 'bareudp') seen.push(l.info.port, l.info.ethertype, l.info.multiproto);
  if (l.kind === 'hsr') seen.push(l.info.slave1, l.info.version, l.info.protocol);
  if (l.kind === 'gtp') seen.push(l.info.role, l.info.pdpHashsize, l.info.createSockets);
  if (l.kind === 'netkit') seen.push(l.info.mode, l.info.policy, l.info.peerScrub, l.info.headroom);
  if (l.kind === 'tun') seen.push(l.info.raw.length);
  if (l.kind === null) {
    const none: null = l.info;
    seen.push(none);
  }
  // The kind's own types, exactly:
  if (isKind(l, 'vxlan')) {
    const vni: number | undefined = l.info.vni;
    const group: string | undefined = l.info.multicastGroup;
    seen.push(vni, group);
  }
  if (isKind(l, 'bond')) {
    // A read-back enum is its name, or the number of a value the table has no name for.
    const mode: 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb' | number | undefined = l.info.mode;
    seen.push(mode);
  }
  if (isKind(l, 'dummy')) {
    const none: null = l.info;
    seen.push(none);
  }
  if (isKind(l, 'vlan')) {
    // @ts-expect-error a VLAN has no VNI: the types are the kind's own
    seen.push(l.info.vni);
    // @ts-expect-error a VLAN id is a number, not a string
    const id: string | undefined = l.info.id;
    seen.push(id);
  }
  if (l.info !== null && 'raw' in l.info && l.info.raw !== undefined) seen.push(l.info.raw.byteLength);
  // A port's settings are keyed by the master's kind, the same way:
  if (l.portKind === 'bridge') seen.push(l.port?.cost, l.port?.state, l.port?.portNo);
  if (l.portKind === 'bond') {
    const state: 'active' | 'backup' | number | undefined = l.port?.state;
    seen.push(state, l.port?.queueId, l.port?.permHwaddr);
    // @ts-expect-error a bond port has no path cost: that is a bridge port's
    seen.push(l.port?.cost);
  }
  if (l.portKind === 'vrf') {
    const none: undefined = l.port;
    seen.push(none);
  }
  if (l.kind === 'vxlan' && l.portKind === 'bridge') seen.push(l.info.vni, l.port?.learning);
}

export { seen };
