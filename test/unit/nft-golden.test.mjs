// Golden bytes: netdev's encoding of each rule its NAT verbs write, byte for byte against what nft
// itself sends for the equivalent statement (test/fixtures/nft-golden.json, captured from nft by
// scripts/gen-nft-golden.mjs, with the expression list `nft --debug=netlink` prints for it), and
// decoded back into the same expressions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const { ruleExprs } = require('../../dist/cjs/nft/nat.js');
const { AttrWriter } = require('../../dist/cjs/nft/wire.js');
const { writeExpr, readExprs } = require('../../dist/cjs/nft/expr.js');
const golden = JSON.parse(readFileSync(new URL('../fixtures/nft-golden.json', import.meta.url), 'utf8'));

test(`the golden cases cover every kind of rule (${golden.nft})`, () => {
  assert.deepEqual([...new Set(golden.cases.map((c) => c.kind))].sort(), ['allow', 'dnat', 'established', 'masquerade', 'snat']);
});

for (const c of golden.cases) {
  test(`${c.kind} ${JSON.stringify(c.rule)} is nft's "${c.nft.replace('add rule inet t ', '')}", byte for byte`, () => {
    const exprs = ruleExprs(c.kind, c.rule);
    const w = new AttrWriter();
    for (const e of exprs) writeExpr(w, e);
    assert.equal(w.bytes().toString('hex'), c.expressions, `nft --debug=netlink:\n${c.netlink.join('\n')}`);
    assert.deepEqual(readExprs(Buffer.from(c.expressions, 'hex')), exprs);
  });
}

test('writers made while another is open get their own buffer; a large message moves to a fresh chunk', () => {
  const a = new AttrWriter().str(1, 'first');
  const b = new AttrWriter().str(1, 'second');
  const big = Buffer.alloc(3 << 20, 7);
  a.attr(2, big.subarray(0, 60000)).attr(2, big.subarray(0, 60000));
  assert.equal(b.bytes().toString('hex'), new AttrWriter().str(1, 'second').bytes().toString('hex'));
  const ab = a.bytes();
  assert.equal(ab.length, 12 + 2 * 60004);
  const c = new AttrWriter();
  for (let i = 0; i < 40; i++) c.attr(3, big.subarray(0, 60000));
  const cb = c.bytes();
  assert.equal(cb.length, 40 * 60004);
  assert.ok(cb.subarray(8, 60004).every((x) => x === 7));
  assert.equal(ab.subarray(4, 10).toString(), 'first\0', 'an earlier message is not overwritten');
});

test('a message that outgrows its own buffer stays whole; frame() is the plain concatenation of header and attributes', () => {
  const { frame, ATTRS_AT } = require('../../dist/cjs/nft/wire.js');
  const big = Buffer.alloc(60000, 9);
  // One writer holds the shared chunk, so the next one gets its own 256-byte buffer and grows.
  const holder = new AttrWriter().str(1, 'holder');
  const grown = new AttrWriter().str(1, 'first').attr(2, big).str(3, 'last');
  const g = grown.bytes();
  assert.equal(g.subarray(4, 10).toString(), 'first\0');
  assert.ok(g.subarray(16, 16 + 60000).every((x) => x === 9));
  assert.equal(g.subarray(16 + 60000 + 4, 16 + 60000 + 9).toString(), 'last\0');
  holder.bytes();
  const msgs = Array.from({ length: 40 }, (_, i) => ({ type: 6, flags: 0x400, family: 1, attrs: new AttrWriter().str(1, `t${i}`).attr(2, big.subarray(0, 30000 + i * 4)).bytes() }));
  const plain = Buffer.concat(msgs.map((m) => {
    const h = Buffer.alloc(ATTRS_AT);
    h.writeUInt32LE(ATTRS_AT + m.attrs.length, 0);
    h.writeUInt16LE((10 << 8) | m.type, 4);
    h.writeUInt16LE(m.flags, 6);
    h[16] = m.family;
    return Buffer.concat([h, m.attrs]);
  }));
  assert.ok(frame(msgs).equals(plain));
});

test('the expressions the NAT rules do not use (range, redir, reject, jump, a live counter) read back as written', () => {
  const exprs = [
    { type: 'payload', base: 'transport', offset: 0, len: 2, dreg: 1 },
    { type: 'range', op: 'neq', sreg: 1, from: Buffer.from([0, 1]), to: Buffer.from([0, 100]) },
    { type: 'counter', packets: 7n, bytes: 900n },
    { type: 'redir', flags: 0, protoMin: 2 },
    { type: 'masq', flags: 4, protoMin: 1, protoMax: 2 },
    { type: 'reject', kind: 'tcp-rst', code: 0 },
    { type: 'reject', kind: 'icmpx', code: 1 },
    { type: 'verdict', verdict: 'jump', chain: 'other' },
    { type: 'verdict', verdict: 'drop' },
  ];
  const w = new AttrWriter();
  for (const e of exprs) writeExpr(w, e);
  assert.deepEqual(readExprs(w.bytes()), exprs);
});

test('decoding never throws on damaged rules: 5,000 mutations of the golden bytes', () => {
  const { stateOf } = require('../../dist/cjs/nft/nat.js');
  let seed = 12345; // mulberry32: every bit usable (an LCG's low bits repeat with a short period)
  const rand = (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const chains = ['prerouting', 'postrouting', 'forward'];
  let recognized = 0;
  for (let i = 0; i < 5000; i++) {
    const c = golden.cases[rand(golden.cases.length)];
    const b = Buffer.from(c.expressions, 'hex');
    const cut = rand(4) === 0 ? b.subarray(0, rand(b.length)) : b;
    for (let j = rand(4); j >= 0; j--) if (cut.length) cut[rand(cut.length)] = rand(256);
    const exprs = readExprs(cut);
    const st = stateOf('t', true, false, 'drop', [{ chain: chains[rand(3)], handle: 1n, exprs }]);
    recognized += st.unrecognized.length === 0 ? 1 : 0;
  }
  assert.ok(recognized > 0 && recognized < 5000, `${recognized} of 5000 damaged rules read as rules`);
});

test('a DNAT list sent as one block is, byte for byte, its rules encoded one by one (2,000 random rules of every shape)', () => {
  const { dnatBlockBytes, dnatRulesBytes } = require('../../dist/cjs/nft/nat.js');
  let seed = 777;
  const rand = (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const v4 = () => `${rand(224)}.${rand(256)}.${rand(256)}.${rand(256)}`;
  const v6 = () => `fd${rand(256).toString(16).padStart(2, '0')}:${rand(65536).toString(16)}::${rand(65536).toString(16)}`;
  const rule = () => {
    const six = rand(3) === 0;
    const r = { toDestination: six ? v6() : v4() };
    if (rand(2)) r.destination = `${six ? v6() : v4()}/${rand(six ? 128 : 32) + 1}`;
    if (rand(3) === 0) r.inInterface = `in${rand(5)}`;
    if (rand(4)) {
      r.protocol = rand(2) ? 'tcp' : 'udp';
      const p = 1 + rand(60000);
      if (rand(3)) r.port = rand(3) ? p : [p, p + 1 + rand(5000)];
      if (rand(2)) r.toPort = 1 + rand(65535);
    }
    return r;
  };
  for (let round = 0; round < 20; round++) {
    const rules = Array.from({ length: 100 }, rule);
    assert.ok(dnatBlockBytes('t', rules).equals(dnatRulesBytes('t', rules)), `round ${round}: ${JSON.stringify(rules)}`);
  }
  // Interface names past the shared-match cache are no template's: those rules go one by one.
  const many = Array.from({ length: 5000 }, (_, i) => ({ inInterface: `x${i}`, protocol: 'udp', port: 1 + (i % 999), toDestination: v4() }));
  assert.ok(dnatBlockBytes('t', many).equals(dnatRulesBytes('t', many)));
});
