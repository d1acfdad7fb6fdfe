// NAT and forwarding over nf_tables netlink (lib/nft): the tutorials' router experiment end to end
// with real TCP and UDP through SNAT and DNAT, a forward policy, owner tables, atomic applies, and
// every rule read back by `nft -j list ruleset` (the oracle; netdev itself never runs nft).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { addPortForward, clearNat, configureNat, deletePortForward, listNat } from 'netdev';
import { rejectsWith, waitFor, withNetns } from '../helpers.mjs';
import { ROUTER, forwardScenario, nftJson, nftRules, oracleScenario, routerScenario, strip } from '../nat-scenarios.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

test('configureNat writes what nft reads back as the same rules, and listNat returns the config', oracleScenario);

test('the router experiment: SNAT out (upstream sees the router), DNAT in to a server (TCP and UDP, replies back)', routerScenario);

test('forward policy drop: new connections from outside are refused, inside-out and its replies pass', forwardScenario);

test('owner: the table goes with the process that made it (SIGKILL), and no other process may change it', async () => {
  await withNetns(async (ns) => {
    const nsPath = `/proc/${process.pid}/fd/${ns.fd}`;
    const code = `require('netdev').configureNat({ netns: { path: ${JSON.stringify(nsPath)} }, owner: true, masquerade: [{ outInterface: 'wan0' }] }).then(() => {
      process.stdout.write('ready\\n'); setInterval(() => {}, 1000);
    }, (e) => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      // The child's output, or its exit if it failed first (its error went to stderr).
      const line = await Promise.race([once(child.stdout, 'data').then(([d]) => d.toString().trim()), once(child, 'exit').then(([c]) => `exited ${c}`)]);
      assert.equal(line, 'ready');
      const st = await listNat({ netns: ns });
      assert.deepEqual([st.exists, st.owner, st.masquerade.length], [true, true, 1]);
      // Another process's configureNat would delete it: the kernel refuses (EPERM), and the
      // batch, refused half-way, changes nothing.
      await rejectsWith(configureNat({ netns: ns, masquerade: [{ outInterface: 'other' }] }), 'EPERM');
      assert.deepEqual((await listNat({ netns: ns })).masquerade.map(strip), [{ outInterface: 'wan0' }]);
      child.kill('SIGKILL');
      await once(child, 'exit');
      await waitFor(async () => !(await listNat({ netns: ns })).exists, { what: 'the owned table to go' });
    } finally {
      child.kill('SIGKILL');
    }
    // This process's own owned table, and clearNat of it.
    await configureNat({ netns: ns, owner: true, dnat: ROUTER.dnat });
    assert.equal((await listNat({ netns: ns })).owner, true);
    await configureNat({ netns: ns, owner: true, dnat: ROUTER.dnat.slice(0, 1) });
    assert.equal((await listNat({ netns: ns })).dnat.length, 1);
    assert.equal(await clearNat({ netns: ns }), true);
    // The owner socket went with the last table it owned (it would hold the namespace otherwise).
    const { resolveNetns } = require('../../dist/cjs/netns/netns.js');
    const { binding } = require('../../dist/cjs/core/binding.js');
    const { ns: h, release } = resolveNetns(ns);
    try {
      assert.equal(await binding().nfOwnerPortid(h), 0);
    } finally {
      release();
    }
  });
});

test('addresses are read back in one spelling: listNat and deletePortForward agree on any other', async () => {
  await withNetns(async (ns) => {
    await configureNat({ netns: ns, dnat: [{ destination: 'FD00:1:0::7/48', protocol: 'tcp', port: 80, toDestination: 'FD00:0::2' }], masquerade: [{ outInterface: 'w0', source: '10.1.2.3/8' }] });
    const st = await listNat({ netns: ns });
    assert.deepEqual(st.dnat.map(strip), [{ destination: 'fd00:1::/48', protocol: 'tcp', port: 80, toDestination: 'fd00::2' }]);
    assert.deepEqual(st.masquerade.map(strip), [{ outInterface: 'w0', source: '10.0.0.0/8' }]);
    assert.equal(await deletePortForward({ netns: ns, destination: 'fd00:1:0:0::/48', protocol: 'tcp', port: 80, toDestination: 'fd00:0:0::2' }), true);
    // A /0 source still limits masquerade to its family; for SNAT the target does.
    await configureNat({ netns: ns, masquerade: [{ outInterface: 'w0', source: '0.0.0.0/0' }], snat: [{ source: '::/0', toSource: 'fd00::9' }] });
    const again = await listNat({ netns: ns });
    assert.deepEqual(again.masquerade.map(strip), [{ outInterface: 'w0', source: '0.0.0.0/0' }]);
    assert.deepEqual(again.snat.map(strip), [{ toSource: 'fd00::9' }]);
  });
});

test('a batch the kernel refuses half-way changes nothing, and the error names the message and expression', async () => {
  await withNetns(async (ns) => {
    const { apply, newRule, delTable, newTable, newChain } = require('../../dist/cjs/nft/nft.js');
    const { resolveNetns } = require('../../dist/cjs/netns/netns.js');
    await configureNat({ netns: ns, ...ROUTER });
    const before = await nftJson(ns);
    const { ns: h, release } = resolveNetns(ns);
    try {
      const chain = { name: 'prerouting', type: 'nat', hook: 'prerouting', priority: -100 };
      const good = [{ type: 'meta', key: 'l4proto', dreg: 1 }, { type: 'cmp', op: 'eq', sreg: 1, data: Buffer.from([6]) }, { type: 'verdict', verdict: 'accept' }];
      // Register 99 does not exist: the kernel refuses the third rule's second expression.
      const bad = [{ type: 'meta', key: 'l4proto', dreg: 1 }, { type: 'cmp', op: 'eq', sreg: 99, data: Buffer.from([6]) }, { type: 'verdict', verdict: 'accept' }];
      const parts = [delTable('netdev_nat'), newTable('netdev_nat', 0), newChain('netdev_nat', chain), newRule('netdev_nat', 'prerouting', good, 'rule 1'),
        newRule('netdev_nat', 'prerouting', good, 'rule 2'), newRule('netdev_nat', 'prerouting', bad, 'rule 3')];
      const e = await rejectsWith(apply(h, parts, 'test apply'), 'ERANGE');
      assert.equal(e.syscall, 'nftables');
      assert.match(e.detail, /^rule 3, expression 2 \(cmp\); nothing of the batch was applied$/);
      assert.ok(e.extackOffset > 0);
      // The same refusal inside a block of rules (how a DNAT list is sent) names the block's rule.
      const { frame } = require('../../dist/cjs/nft/wire.js');
      const rules = [good, good, bad];
      const framed = frame(rules.map((x, i) => newRule('netdev_nat', 'prerouting', x, `r${i}`)));
      const block = { count: 3, size: framed.length, write: (out, at) => framed.copy(out, at), label: (i) => `block rule ${i + 1}`, exprs: (i) => rules[i] };
      const e2 = await rejectsWith(apply(h, [...parts.slice(0, 3), block], 'test apply'), 'ERANGE');
      assert.match(e2.detail, /^block rule 3, expression 2 \(cmp\); nothing of the batch was applied$/);
    } finally {
      release();
    }
    assert.deepEqual(await nftJson(ns), before, 'the ruleset is exactly as it was');
  });
});

test('10,000 port forwards in one apply, read back', async () => {
  await withNetns(async (ns) => {
    const dnat = Array.from({ length: 10000 }, (_, i) => ({ protocol: 'tcp', port: 10000 + i, toDestination: `10.9.${i >> 8}.${i & 255}`, toPort: 80 }));
    await configureNat({ netns: ns, dnat });
    const st = await listNat({ netns: ns });
    assert.equal(st.dnat.length, 10000);
    assert.deepEqual(st.dnat[9999].toDestination, '10.9.39.15');
    assert.equal((await nftRules(ns, 'prerouting')).length, 10000);
    assert.equal(await clearNat({ netns: ns }), true);
  });
});

test('bad input is refused before any system call, with documented codes', async () => {
  await withNetns(async (ns) => {
    const bad = [
      [{ table: 'netdev' }, 'ERR_INVALID_ARG_VALUE'],
      [{ table: 'has space' }, 'ERR_INVALID_ARG_VALUE'],
      [{ table: 7 }, 'ERR_INVALID_ARG_TYPE'],
      [{ masquerade: [{}] }, 'ERR_INVALID_ARG_VALUE'],
      [{ masquerade: [{ outInterface: 'a/b' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ masquerade: [{ outInterface: 'eth0', source: '10.0.0.0/33' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ masquerade: [{ outInterface: 'eth0', typo: 1 }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ snat: [{ source: '10.0.0.0/8', toSource: 'fd00::1' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ snat: [{ toSource: '300.1.1.1' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ port: 80, toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ protocol: 'sctp', port: 80, toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ protocol: 'tcp', port: 0, toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ protocol: 'tcp', port: 80, toDestination: '10.0.0.2', toPort: 65536 }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ protocol: 'tcp', port: [90, 80], toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ protocol: 'tcp', port: [80], toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ protocol: 'tcp', port: [80, 70000], toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ destination: 'fd00::1', toDestination: '10.0.0.2' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: [{ toDestination: '10.0.0.2%eth0' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ dnat: {} }, 'ERR_INVALID_ARG_TYPE'],
      [{ forward: { policy: 'reject' } }, 'ERR_INVALID_ARG_VALUE'],
      [{ forward: { policy: 'drop', allow: [{}] } }, 'ERR_INVALID_ARG_VALUE'],
      [{ owner: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
      [{ nat: [] }, 'ERR_INVALID_ARG_VALUE'],
    ];
    // Every call into the addon counted: none may be made for bad input.
    const core = require('../../dist/cjs/core/binding.js');
    const real = core.binding();
    const calls = [];
    const counted = Object.fromEntries(['netlink', 'nfBatch', 'nfOwnerPortid', 'nfDropOwner'].map((f) => [f, (...a) => (calls.push(f), real[f](...a))]));
    core.setBindingForTesting({ ...real, ...counted });
    try {
      for (const [config, code] of bad) await rejectsWith(configureNat({ netns: ns, ...config }), code);
      await rejectsWith(addPortForward({ netns: ns, port: 80, toDestination: '10.0.0.2' }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(deletePortForward({ netns: ns, handle: 0 }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(deletePortForward({ netns: ns, handle: 3, port: 80 }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(listNat({ netns: ns, table: 'inet' }), 'ERR_INVALID_ARG_VALUE');
      assert.deepEqual(calls, [], 'no call reached the addon');
      await listNat({ netns: ns });
      assert.ok(calls.includes('netlink'), 'the counting binding is the one in use');
    } finally {
      core.setBindingForTesting(undefined);
    }
    assert.deepEqual(await nftJson(ns), [], 'nothing was made');
  });
});

test('nothing of another table is touched', async () => {
  await withNetns(async (ns) => {
    await run('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'nft', 'add table ip theirs; add chain ip theirs c { type filter hook input priority 0; }; add rule ip theirs c counter']);
    const theirs = (await nftJson(ns)).filter((o) => (o.table ?? o.chain ?? o.rule)?.table === 'theirs' || (o.table && o.table.name === 'theirs'));
    await configureNat({ netns: ns, ...ROUTER });
    await configureNat({ netns: ns, masquerade: [{ outInterface: 'x0' }] });
    await clearNat({ netns: ns });
    assert.deepEqual((await nftJson(ns)).filter((o) => (o.table ?? o.chain ?? o.rule)?.table === 'theirs' || (o.table && o.table.name === 'theirs')), theirs);
  });
});

test('owner: a worker thread\'s owned table goes when the worker ends', async () => {
  const { Worker } = await import('node:worker_threads');
  await withNetns(async (ns) => {
    const nsPath = `/proc/${process.pid}/fd/${ns.fd}`;
    const w = new Worker(`const { parentPort } = require('node:worker_threads');
      require('netdev').configureNat({ netns: { path: ${JSON.stringify(nsPath)} }, owner: true, masquerade: [{ outInterface: 'wan0' }] })
        .then(() => { parentPort.postMessage('ready'); setInterval(() => {}, 1000); }, (e) => parentPort.postMessage(String(e)));`, { eval: true });
    try {
      const [msg] = await once(w, 'message');
      assert.equal(msg, 'ready');
      const st = await listNat({ netns: ns });
      assert.deepEqual([st.exists, st.owner], [true, true]);
    } finally {
      await w.terminate();
    }
    await waitFor(async () => !(await listNat({ netns: ns })).exists, { what: "the worker's table to go" });
  });
});
