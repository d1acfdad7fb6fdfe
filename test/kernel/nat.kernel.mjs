// NAT over nf_tables netlink on the stock kernel (scripts/kernel-vm.mjs), where nf_tables, nat,
// masquerade and conntrack are modules: the host tier's router experiment, forward policy and
// nft -j oracle (test/nat-scenarios.mjs), unchanged.
import { test } from 'node:test';
import { forwardScenario, oracleScenario, routerScenario } from '../nat-scenarios.mjs';

test('nat: configureNat read back by nft -j and by listNat', oracleScenario);
test('nat: the router experiment, TCP and UDP through SNAT and DNAT', routerScenario);
test('nat: forward policy drop with established connections allowed', forwardScenario);
