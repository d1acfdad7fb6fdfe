// The router-namespace recipe of examples/router-dhcp.mjs, asserted: two subnets routed through a
// router namespace, a real dnsmasq in it handing hostB a lease that busybox udhcpc obtains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRouterDhcp } from '../../examples/router-dhcp.mjs';
import { childProcesses, waitFor } from '../helpers.mjs';

const toNum = (ip) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

test('router namespace + dnsmasq: hostB gets a lease from the range, the hosts reach each other through the router, hostB reaches the router', async () => {
  const r = await buildRouterDhcp();
  try {
    assert.ok(toNum(r.address) >= toNum(r.range[0]) && toNum(r.address) <= toNum(r.range[1]), `${r.address} outside ${r.range}`);
    assert.equal(r.mask, '24');
    assert.equal(r.gateway, '10.0.2.1');
    // dnsmasq recorded the lease for hostB's MAC.
    assert.match(r.leaseFile, new RegExp(`${r.bMac} ${r.address.replaceAll('.', '\\.')} `));
    assert.equal(r.aToB, 'echo:from A');
    assert.equal(r.bToA, 'echo:from B');
    assert.equal(r.bToRouter, 'echo:to the router');
    assert.equal(r.routeAB.gateway, '10.0.1.1');
  } finally {
    await r.teardown();
  }
  assert.notEqual(r.dnsmasq.exitCode ?? r.dnsmasq.signalCode, null, 'dnsmasq was stopped');
  // Nothing left running, no zombies (udhcpc exited and was reaped, dnsmasq too).
  await waitFor(() => childProcesses().length === 0, { what: `children to exit: ${childProcesses().join(', ')}` });
});
