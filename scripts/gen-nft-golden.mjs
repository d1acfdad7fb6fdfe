#!/usr/bin/env node
// Regenerates test/fixtures/nft-golden.json: for each rule netdev's NAT verbs write, the bytes nft
// itself sends for the equivalent nft statement (its NFTA_RULE_EXPRESSIONS), captured with
// `strace -e write=FD` from `nft add rule` in a private network namespace (unshare -n), next to
// the expression list `nft --debug=netlink` prints for it. test/unit/nft-golden.test.mjs checks
// netdev's encoding of each rule against them byte for byte. Needs root (or unshare -rn), nft and
// strace; run it after changing lib/nft/nat.ts's rules, and review the diff of the fixture.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** [kind, netdev's rule, chain, the nft statement it is] */
export const CASES = [
  ['masquerade', { outInterface: 'wan0' }, 'post', 'oifname "wan0" counter masquerade'],
  ['masquerade', { outInterface: 'wan0', source: '10.0.0.0/8' }, 'post', 'oifname "wan0" ip saddr 10.0.0.0/8 counter masquerade'],
  ['masquerade', { outInterface: 'eth1', source: '10.16.0.0/12' }, 'post', 'oifname "eth1" ip saddr 10.16.0.0/12 counter masquerade'],
  ['snat', { source: '10.0.0.0/8', outInterface: 'wan0', toSource: '192.168.0.106' }, 'post', 'oifname "wan0" ip saddr 10.0.0.0/8 counter snat ip to 192.168.0.106'],
  ['snat', { toSource: '192.168.0.106' }, 'post', 'meta nfproto ipv4 counter snat ip to 192.168.0.106'],
  ['snat', { source: 'fd00::/64', toSource: 'fd99::1' }, 'post', 'ip6 saddr fd00::/64 counter snat ip6 to fd99::1'],
  ['dnat', { destination: '192.168.0.106', protocol: 'tcp', port: 8080, toDestination: '10.1.0.2', toPort: 80 }, 'pre', 'ip daddr 192.168.0.106 tcp dport 8080 counter dnat ip to 10.1.0.2:80'],
  ['dnat', { inInterface: 'wan0', protocol: 'udp', port: 53, toDestination: '10.1.0.2', toPort: 5353 }, 'pre', 'iifname "wan0" meta nfproto ipv4 udp dport 53 counter dnat ip to 10.1.0.2:5353'],
  ['dnat', { inInterface: 'wan0', toDestination: '10.1.0.3' }, 'pre', 'iifname "wan0" meta nfproto ipv4 counter dnat ip to 10.1.0.3'],
  ['dnat', { protocol: 'tcp', port: [8000, 8100], toDestination: '10.1.0.2', toPort: 80 }, 'pre', 'meta nfproto ipv4 tcp dport 8000-8100 counter dnat ip to 10.1.0.2:80'],
  ['dnat', { destination: 'fd00:1::/48', protocol: 'tcp', port: 443, toDestination: 'fd00::2', toPort: 8443 }, 'pre', 'ip6 daddr fd00:1::/48 tcp dport 443 counter dnat ip6 to [fd00::2]:8443'],
  ['established', {}, 'fw', 'ct state established,related counter accept'],
  ['allow', { inInterface: 'lan0', outInterface: 'wan0' }, 'fw', 'iifname "lan0" oifname "wan0" counter accept'],
];

const SETUP = [
  'add table inet t',
  'add chain inet t pre { type nat hook prerouting priority dstnat; }',
  'add chain inet t post { type nat hook postrouting priority srcnat; }',
  'add chain inet t fw { type filter hook forward priority filter; }',
].join('\n');

/** The bytes of the datagrams nft wrote to its netlink socket, from strace's hex dump. */
function written(trace) {
  const bytes = [];
  for (const line of trace.split('\n')) {
    const m = /^\s*\|\s[0-9a-f]{5}\s+((?:[0-9a-f]{2}\s+){1,16})/.exec(line);
    if (m) bytes.push(...m[1].trim().split(/\s+/).map((h) => parseInt(h, 16)));
  }
  return Buffer.from(bytes);
}

/** The NFTA_RULE_EXPRESSIONS value of the NEWRULE message in a batch (nf_tables.h: 4). */
function expressions(batch) {
  for (let o = 0; o + 20 <= batch.length; ) {
    const len = batch.readUInt32LE(o);
    const type = batch.readUInt16LE(o + 4);
    if ((type & 0xff) === 6 && type >> 8 === 10) {
      for (let a = o + 20; a + 4 <= o + len; ) {
        const alen = batch.readUInt16LE(a);
        if ((batch.readUInt16LE(a + 2) & 0x3fff) === 4) return batch.subarray(a + 4, a + alen);
        a += (alen + 3) & ~3;
      }
    }
    o += (len + 3) & ~3;
  }
  throw new Error('no NEWRULE expressions in the captured batch');
}

const out = CASES.map(([kind, rule, chain, statement]) => {
  const script = `set -e; nft -f - <<'EOF'\n${SETUP}\nEOF\nstrace -qq -f -e trace=sendmsg -e write=3 -o /dev/stderr nft add rule inet t ${chain} '${statement}' 2>&1 >/dev/null | sed -n '/^/p'; nft --debug=netlink list chain inet t ${chain} >&2`;
  const trace = execFileSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const debug = execFileSync('unshare', ['-n', 'sh', '-c', `nft -f - <<'EOF'\n${SETUP}\nEOF\nnft --debug=netlink add rule inet t ${chain} '${statement}'`], { encoding: 'utf8' });
  return { kind, rule, nft: `add rule inet t ${chain} ${statement}`, netlink: debug.trim().split('\n').slice(1).map((l) => l.trim()), expressions: expressions(written(trace)).toString('hex') };
});
const file = join(root, 'test/fixtures/nft-golden.json');
writeFileSync(file, `${JSON.stringify({ nft: execFileSync('nft', ['--version'], { encoding: 'utf8' }).trim(), cases: out }, null, 2)}\n`);
console.log(`wrote ${out.length} cases to ${file}`);
