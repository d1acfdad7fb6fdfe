// Golden bytes for the routing requests the addon encodes: routes (struct rtmsg + RTA_*, nested
// RTA_METRICS / RTAX_*, RTA_MULTIPATH of struct rtnexthop), rules (struct fib_rule_hdr + FRA_*),
// neighbours and FDB entries (struct ndmsg + NDA_*) and namespace ids (struct rtgenmsg +
// NETNSA_*). The expected hex is laid out by hand from the uapi headers, one field a line, so a
// reader can audit each byte against <linux/rtnetlink.h>, <linux/fib_rules.h>,
// <linux/neighbour.h> and <linux/net_namespace.h>; every message is then decoded back by the
// real decoder as a second, independent reading. No privileges needed.
//
// Layouts (little-endian host; ports in network order as the kernel wants them):
//   nlmsghdr      u32 len | u16 type | u16 flags | u32 seq | u32 pid       (encode() leaves seq, pid 0)
//   rtattr        u16 len (header + data, unpadded) | u16 type | data, padded to 4
//   rtmsg         u8 family, dst_len, src_len, tos, table, protocol, scope, type | u32 flags
//   rtnexthop     u16 len | u8 flags | u8 hops (weight - 1) | s32 ifindex
//   fib_rule_hdr  u8 family, dst_len, src_len, tos, table, res1, res2, action | u32 flags
//   ndmsg         u8 family | u8 pad1 | u16 pad2 | s32 ifindex | u16 state | u8 flags | u8 type
//   rtgenmsg      u8 family (then padding to 4)
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const b = require('node-gyp-build')(root);
require(`${root}dist/cjs/ip/route_decode.js`); // registers the route batch expander
const { expand } = require(`${root}dist/cjs/netlink/expand.js`);
const decode = (buf) => expand(b.decode(buf));
const C = b.constants;

const hex = (s) => s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
const CREATE_EXCL = C.NLM_F_CREATE | C.NLM_F_EXCL; // 0x0600

test('uapi numbers the golden bytes below rely on', () => {
  assert.deepEqual(
    [C.RTM_NEWROUTE, C.RTM_NEWNEIGH, C.RTM_NEWRULE, C.RTM_NEWNSID, C.RTM_GETNSID, C.AF_INET, C.AF_INET6, C.AF_BRIDGE],
    [24, 28, 32, 88, 90, 2, 10, 7],
  );
  assert.deepEqual([C.NLM_F_CREATE, C.NLM_F_EXCL, C.NLM_F_REPLACE], [0x400, 0x200, 0x100]);
});

// Routes ------------------------------------------------------------------------------------------

test('route: plain IPv4 unicast via a gateway (RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY)', () => {
  // ip route add 10.1.2.0/24 via 192.168.1.1 dev #3 metric 100 proto static
  const req = {
    type: C.RTM_NEWROUTE,
    flags: CREATE_EXCL,
    route: { family: C.AF_INET, dstLen: 24, table: 254, protocol: 4, scope: 0, type: 1, dst: '10.1.2.0', gateway: '192.168.1.1', oif: 3, priority: 100 },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      3c000000 1800 0006 00000000 00000000    # nlmsghdr: len 60, RTM_NEWROUTE (24), CREATE|EXCL
      02 18 00 00 fe 04 00 01                 # rtmsg: AF_INET, dst_len 24, src_len 0, tos 0,
                                              #   table 254 (main), RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST
      00000000                                #   rtm_flags
      0800 0100 0a010200                      # RTA_DST (1) 10.1.2.0
      0800 0500 c0a80101                      # RTA_GATEWAY (5) 192.168.1.1
      0800 0400 03000000                      # RTA_OIF (4) 3
      0800 0600 64000000                      # RTA_PRIORITY (6) 100`),
  );
  const [r] = decode(b.encode(req));
  assert.equal(r.destination, '10.1.2.0/24');
  assert.equal(r.gateway, '192.168.1.1');
  assert.equal(r.index, 3);
  assert.equal(r.metric, 100);
  assert.equal(r.table, 254);
});

test('route: IPv6 in a table above 255 (RTA_TABLE, rtm_table RT_TABLE_UNSPEC), RTA_PREF, RTA_EXPIRES', () => {
  // ip -6 route add 2001:db8:1::/64 via fe80::1 dev #5 table 1000 pref high expires 300 proto boot
  const req = {
    type: C.RTM_NEWROUTE,
    flags: CREATE_EXCL,
    route: { family: C.AF_INET6, dstLen: 64, table: 1000, protocol: 3, type: 1, dst: '2001:db8:1::', gateway: 'fe80::1', oif: 5, pref: 1, expires: 300 },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      64000000 1800 0006 00000000 00000000    # nlmsghdr: len 100, RTM_NEWROUTE, CREATE|EXCL
      0a 40 00 00 00 03 00 01 00000000        # rtmsg: AF_INET6, dst_len 64, table 0 (UNSPEC: see RTA_TABLE),
                                              #   RTPROT_BOOT, scope universe, RTN_UNICAST, flags 0
      0800 0f00 e8030000                      # RTA_TABLE (15) 1000, before the addresses
      1400 0100 20010db8 00010000 00000000 00000000  # RTA_DST (1), len 20: 2001:db8:1::
      1400 0500 fe800000 00000000 00000000 00000001  # RTA_GATEWAY (5): fe80::1
      0800 0400 05000000                      # RTA_OIF (4) 5
      0500 1400 01 000000                     # RTA_PREF (20), u8: ICMPV6_ROUTER_PREF_HIGH (1), padded
      0800 1700 2c010000                      # RTA_EXPIRES (23) 300 s`),
  );
  const [r] = decode(b.encode(req));
  assert.equal(r.destination, '2001:db8:1::/64');
  assert.equal(r.gateway, 'fe80::1');
  assert.equal(r.table, 1000, 'the decoder reads RTA_TABLE over rtm_table');
});

test('route: multipath with weights (RTA_MULTIPATH of rtnexthop, hops = weight - 1, not NLA_F_NESTED)', () => {
  // ip route add 10.9.0.0/16 nexthop via 10.0.0.1 dev #2 weight 1 nexthop via 10.0.1.1 dev #3 weight 3
  const req = {
    type: C.RTM_NEWROUTE,
    flags: CREATE_EXCL,
    route: {
      family: C.AF_INET, dstLen: 16, table: 254, protocol: 4, scope: 0, type: 1, dst: '10.9.0.0',
      multipath: [{ gateway: '10.0.0.1', oif: 2, weight: 1 }, { gateway: '10.0.1.1', oif: 3, weight: 3 }],
    },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      48000000 1800 0006 00000000 00000000    # nlmsghdr: len 72, RTM_NEWROUTE, CREATE|EXCL
      02 10 00 00 fe 04 00 01 00000000        # rtmsg: AF_INET, /16, main, static, universe, unicast
      0800 0100 0a090000                      # RTA_DST 10.9.0.0
      2400 0900                               # RTA_MULTIPATH (9), len 36, no NLA_F_NESTED (as iproute2)
        1000 00 00 02000000                   #   rtnexthop: len 16, flags 0, hops 0 (weight 1), ifindex 2
          0800 0500 0a000001                  #     RTA_GATEWAY 10.0.0.1
        1000 00 02 03000000                   #   rtnexthop: len 16, flags 0, hops 2 (weight 3), ifindex 3
          0800 0500 0a000101                  #     RTA_GATEWAY 10.0.1.1`),
  );
  const [r] = decode(b.encode(req));
  assert.deepEqual(
    r.multipath.map((h) => [h.gateway, h.index, h.weight]),
    [['10.0.0.1', 2, 1], ['10.0.1.1', 3, 3]],
  );
});

test('route: metrics nested in RTA_METRICS (RTAX_* u32s in the encoder\'s table order, RTAX_CC_ALGO a string)', () => {
  // ip route add 10.2.0.0/16 dev #4 mtu lock 1400 advmss 1360 hoplimit 64 initcwnd 10 congctl cubic
  const req = {
    type: C.RTM_NEWROUTE,
    flags: CREATE_EXCL,
    route: {
      family: C.AF_INET, dstLen: 16, table: 254, protocol: 4, scope: 0, type: 1, dst: '10.2.0.0', oif: 4,
      metrics: { mtu: 1400, advmss: 1360, hoplimit: 64, initcwnd: 10, lock: 1 << 2, congctl: 'cubic' },
    },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      64000000 1800 0006 00000000 00000000    # nlmsghdr: len 100, RTM_NEWROUTE, CREATE|EXCL
      02 10 00 00 fe 04 00 01 00000000        # rtmsg: AF_INET, /16, main, static, universe, unicast
      0800 0100 0a020000                      # RTA_DST 10.2.0.0
      0800 0400 04000000                      # RTA_OIF 4
      3800 0880                               # RTA_METRICS (8) | NLA_F_NESTED, len 56
        0800 0200 78050000                    #   RTAX_MTU (2) 1400
        0800 0800 50050000                    #   RTAX_ADVMSS (8) 1360
        0800 0a00 40000000                    #   RTAX_HOPLIMIT (10) 64
        0800 0b00 0a000000                    #   RTAX_INITCWND (11) 10
        0800 0100 04000000                    #   RTAX_LOCK (1): 1 << RTAX_MTU
        0a00 1000 63756269 6300 0000          #   RTAX_CC_ALGO (16) "cubic\\0", len 10, padded`),
  );
  const [r] = decode(b.encode(req));
  assert.equal(r.metrics.mtu, 1400);
  assert.equal(r.metrics.advmss, 1360);
  assert.equal(r.metrics.congctl, 'cubic');
});

// Rules -------------------------------------------------------------------------------------------

test('rule: IPv4 from a prefix, iif, fwmark/mask, ipproto, uid and dport ranges, to table 100', () => {
  // ip rule add from 10.0.0.0/24 iif eth0 fwmark 0x10/0xff ipproto tcp dport 80-443
  //   uidrange 1000-1999 protocol static priority 1000 table 100
  const req = {
    type: C.RTM_NEWRULE,
    flags: CREATE_EXCL,
    rule: {
      family: C.AF_INET, srcLen: 24, table: 100, action: 1, src: '10.0.0.0', iif: 'eth0', priority: 1000,
      fwmark: 0x10, fwmask: 0xff, protocol: 4, ipProto: 6, uidRange: { start: 1000, end: 1999 }, dportRange: { start: 80, end: 443 },
    },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      6c000000 2000 0006 00000000 00000000    # nlmsghdr: len 108, RTM_NEWRULE (32), CREATE|EXCL
      02 00 18 00 64 00 00 01                 # fib_rule_hdr: AF_INET, dst_len 0, src_len 24, tos 0,
                                              #   table 100, res1, res2, action FR_ACT_TO_TBL (1)
      00000000                                #   flags
      0800 0200 0a000000                      # FRA_SRC (2) 10.0.0.0
      0900 0300 65746830 00 000000            # FRA_IIFNAME (3) "eth0\\0", len 9, padded
      0800 0600 e8030000                      # FRA_PRIORITY (6) 1000
      0800 0a00 10000000                      # FRA_FWMARK (10) 0x10
      0800 1000 ff000000                      # FRA_FWMASK (16) 0xff
      0500 1500 04 000000                     # FRA_PROTOCOL (21) u8 RTPROT_STATIC
      0500 1600 06 000000                     # FRA_IP_PROTO (22) u8 IPPROTO_TCP
      0c00 1400 e8030000 cf070000             # FRA_UID_RANGE (20) fib_rule_uid_range { 1000, 1999 }
      0800 1800 5000 bb01                     # FRA_DPORT_RANGE (24) fib_rule_port_range { 80, 443 }, host order`),
  );
  const [r] = b.decode(b.encode(req));
  assert.equal(r.table, 100);
  assert.equal(r.action, 1);
  assert.equal(r.srcLen, 24);
});

test('rule: IPv6 to a table above 255 (FRA_TABLE, table byte UNSPEC), oif, suppress_prefixlength, sport range', () => {
  // ip -6 rule add to 2001:db8::/32 oif vrf-blue sport 1024-2047 suppress_prefixlength 0 table 1000
  const req = {
    type: C.RTM_NEWRULE,
    flags: CREATE_EXCL,
    rule: {
      family: C.AF_INET6, dstLen: 32, table: 1000, action: 1, dst: '2001:db8::', oif: 'vrf-blue',
      suppressPrefixLength: 0, sportRange: { start: 1024, end: 2047 },
    },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      58000000 2000 0006 00000000 00000000    # nlmsghdr: len 88, RTM_NEWRULE, CREATE|EXCL
      0a 20 00 00 00 00 00 01 00000000        # fib_rule_hdr: AF_INET6, dst_len 32, table 0 (see FRA_TABLE), TO_TBL
      0800 0f00 e8030000                      # FRA_TABLE (15) 1000
      1400 0100 20010db8 00000000 00000000 00000000  # FRA_DST (1) 2001:db8::
      0d00 1100 7672662d 626c7565 00 000000   # FRA_OIFNAME (17) "vrf-blue\\0", len 13, padded
      0800 0e00 00000000                      # FRA_SUPPRESS_PREFIXLEN (14) 0
      0800 1700 0004 ff07                     # FRA_SPORT_RANGE (23) { 1024, 2047 }`),
  );
  const [r] = b.decode(b.encode(req));
  assert.equal(r.table, 1000, 'the decoder reads FRA_TABLE over the header byte');
});

// Neighbours --------------------------------------------------------------------------------------

test('neighbour: permanent IPv4 ARP entry (ndmsg, NDA_LLADDR then NDA_DST)', () => {
  // ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev #3 nud permanent
  const req = {
    type: C.RTM_NEWNEIGH,
    flags: C.NLM_F_CREATE | C.NLM_F_REPLACE,
    neigh: { family: C.AF_INET, index: 3, state: 0x80, dst: '10.0.0.2', mac: '02:00:00:00:00:02' },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      30000000 1c00 0005 00000000 00000000    # nlmsghdr: len 48, RTM_NEWNEIGH (28), CREATE|REPLACE
      02 00 0000 03000000 8000 00 00          # ndmsg: AF_INET, pads, ifindex 3, NUD_PERMANENT, flags 0, type 0
      0a00 0200 02000000 0002 0000            # NDA_LLADDR (2), 6 bytes, padded
      0800 0100 0a000002                      # NDA_DST (1) 10.0.0.2`),
  );
  const [n] = b.decode(b.encode(req));
  assert.deepEqual([n.family, n.index, n.state, n.mac, n.dst], [4, 3, ['permanent'], '02:00:00:00:00:02', '10.0.0.2']);
});

test('neighbour: VXLAN FDB entry (AF_BRIDGE, NTF_SELF, NDA_DST, NDA_PORT in network order, NDA_VNI, NDA_SRC_VNI, NDA_IFINDEX)', () => {
  // bridge fdb append 00:00:00:00:00:00 dev #5 dst 192.0.2.1 port 4789 vni 100 src_vni 200 via #4 self permanent
  const req = {
    type: C.RTM_NEWNEIGH,
    flags: C.NLM_F_CREATE | C.NLM_F_EXCL,
    neigh: { family: C.AF_BRIDGE, index: 5, state: 0x80, flags: 0x02, mac: '00:00:00:00:00:00', dst: '192.0.2.1', port: 4789, vni: 100, srcVni: 200, via: 4 },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      50000000 1c00 0006 00000000 00000000    # nlmsghdr: len 80, RTM_NEWNEIGH, CREATE|EXCL
      07 00 0000 05000000 8000 02 00          # ndmsg: AF_BRIDGE, ifindex 5, NUD_PERMANENT, NTF_SELF
      0a00 0200 00000000 0000 0000            # NDA_LLADDR 00:00:00:00:00:00 (the all-zeros default entry)
      0800 0100 c0000201                      # NDA_DST 192.0.2.1 (the remote VTEP)
      0600 0600 12b5 0000                     # NDA_PORT (6) 4789, big-endian u16, padded
      0800 0700 64000000                      # NDA_VNI (7) 100
      0800 0b00 c8000000                      # NDA_SRC_VNI (11) 200
      0800 0800 04000000                      # NDA_IFINDEX (8) 4: the "via" device`),
  );
  const [n] = b.decode(b.encode(req));
  assert.deepEqual(
    [n.family, n.flags, n.dst, n.port, n.vni, n.srcVni, n.via],
    ['bridge', ['self'], '192.0.2.1', 4789, 100, 200, 4],
  );
});

test('neighbour: bridge FDB entry on a VLAN, to the master (NTF_MASTER, NDA_VLAN, NDA_MASTER)', () => {
  // bridge fdb add aa:bb:cc:dd:ee:ff dev #4 vlan 10 master permanent (bridge #3)
  const req = {
    type: C.RTM_NEWNEIGH,
    flags: C.NLM_F_CREATE | C.NLM_F_EXCL,
    neigh: { family: C.AF_BRIDGE, index: 4, state: 0x80, flags: 0x04, mac: 'aa:bb:cc:dd:ee:ff', vlan: 10, master: 3 },
  };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      38000000 1c00 0006 00000000 00000000    # nlmsghdr: len 56, RTM_NEWNEIGH, CREATE|EXCL
      07 00 0000 04000000 8000 04 00          # ndmsg: AF_BRIDGE, ifindex 4, NUD_PERMANENT, NTF_MASTER
      0a00 0200 aabbccdd eeff 0000            # NDA_LLADDR aa:bb:cc:dd:ee:ff
      0600 0500 0a00 0000                     # NDA_VLAN (5) u16 10, host order, padded
      0800 0900 03000000                      # NDA_MASTER (9) 3`),
  );
  const [n] = b.decode(b.encode(req));
  assert.deepEqual([n.mac, n.vlan, n.master, n.flags], ['aa:bb:cc:dd:ee:ff', 10, 3, ['master']]);
});

// Namespace ids -----------------------------------------------------------------------------------

test('nsid: RTM_NEWNSID with an id for a pid (rtgenmsg padded to 4, NETNSA_NSID, NETNSA_PID)', () => {
  // ip netns set <the namespace of pid 1234> 7
  const req = { type: C.RTM_NEWNSID, flags: CREATE_EXCL, nsid: { nsid: 7, pid: 1234 } };
  assert.equal(
    b.encode(req).toString('hex'),
    hex(`
      24000000 5800 0006 00000000 00000000    # nlmsghdr: len 36, RTM_NEWNSID (88), CREATE|EXCL
      00 000000                               # rtgenmsg: AF_UNSPEC, then NLMSG_ALIGN padding
      0800 0100 07000000                      # NETNSA_NSID (1) s32 7
      0800 0200 d2040000                      # NETNSA_PID (2) u32 1234`),
  );
  assert.deepEqual(b.decode(b.encode(req)), [{ nsid: 7 }]);
});

test('nsid: RTM_GETNSID by namespace fd (NETNSA_FD carries the handle\'s descriptor)', () => {
  const h = b.netnsCurrent();
  try {
    const req = { type: C.RTM_GETNSID, nsid: { targetNetns: h } };
    const fd = Buffer.alloc(4);
    fd.writeUInt32LE(h.fd);
    assert.equal(
      b.encode(req).toString('hex'),
      hex(`
        1c000000 5a00 0000 00000000 00000000  # nlmsghdr: len 28, RTM_GETNSID (90), no flags
        00 000000                             # rtgenmsg: AF_UNSPEC, padded
        0800 0300`) + fd.toString('hex'), //   NETNSA_FD (3) u32: this process's descriptor
    );
  } finally {
    h.close();
  }
});
