// The kernel-matrix initramfs's boot modules (scripts/kernel-vm/moddep.mjs): closure and order
// from a kernel's modules.dep, on canned files. No privileges, no I/O.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootModules, moduleName, parseModulesDep } from '../../scripts/kernel-vm/moddep.mjs';

const names = (r) => r.load.map((m) => m.name);
const before = (order, a, b) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b} in ${order.join(' ')}`);

// Debian 6.1.0-57's shape: virtio depends on virtio_ring, which is listed after it.
const DEBIAN = `kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet_virtio.ko: kernel/drivers/virtio/virtio.ko kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/net/9p/9pnet.ko:
kernel/fs/netfs/netfs.ko:
kernel/drivers/net/dummy.ko:
`;
const ROOTS = ['9p', '9pnet_virtio', 'virtio_pci'];

test('a module listed before its dependency is loaded after it; the closure is exact', () => {
  const r = bootModules(DEBIAN, '', ROOTS);
  const order = names(r);
  assert.deepEqual([...order].sort(), ['9p', '9pnet', '9pnet_virtio', 'fscache', 'netfs', 'virtio', 'virtio_pci', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_ring']);
  assert.equal(new Set(order).size, order.length, 'each module once');
  // Every module comes after all of its dependencies.
  const deps = parseModulesDep(DEBIAN);
  for (const m of order) for (const d of deps.get(m).deps) before(order, d, m);
  before(order, 'virtio_ring', 'virtio');
  assert.deepEqual(r.builtin, []);
  assert.equal(r.load.find((m) => m.name === 'virtio').path, 'kernel/drivers/virtio/virtio.ko');
});

test('built-in modules need no insmod, and their dependents still load', () => {
  // Ubuntu's shape: the virtio core is built in, only 9p is modular.
  const dep = `kernel/fs/9p/9p.ko.zst: kernel/net/9p/9pnet.ko.zst kernel/fs/netfs/netfs.ko.zst
kernel/net/9p/9pnet_virtio.ko.zst: kernel/net/9p/9pnet.ko.zst
kernel/net/9p/9pnet.ko.zst:
kernel/fs/netfs/netfs.ko.zst:
`;
  const builtin = 'kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio_ring.ko\nkernel/drivers/virtio/virtio_pci.ko\n';
  const r = bootModules(dep, builtin, ROOTS);
  assert.deepEqual(r.builtin, ['virtio_pci']);
  const order = names(r);
  assert.deepEqual([...order].sort(), ['9p', '9pnet', '9pnet_virtio', 'netfs']);
  before(order, '9pnet', '9p');
  before(order, 'netfs', '9p');
  before(order, '9pnet', '9pnet_virtio');
  assert.equal(r.load.find((m) => m.name === '9p').path, 'kernel/fs/9p/9p.ko.zst');
});

test('a missing dependency is named with the module that needs it', () => {
  const dep = DEBIAN.replace('kernel/drivers/virtio/virtio_ring.ko:\n', '');
  assert.throws(() => bootModules(dep, '', ROOTS), { message: /module virtio_ring \(needed by \w+\) is neither in modules\.dep nor in modules\.builtin/ });
  assert.throws(() => bootModules(DEBIAN, '', ['9p', 'nosuch']), { message: /^module nosuch is neither/ });
});

test('a dependency cycle is reported with its path', () => {
  const dep = 'kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/c.ko\nkernel/c.ko: kernel/a.ko\n';
  assert.throws(() => bootModules(dep, '', ['a']), { message: 'module dependency cycle: a -> b -> c -> a' });
});

test('module names: compressed suffixes dropped, dashes read as underscores; malformed lines rejected', () => {
  assert.equal(moduleName('kernel/net/9p/9pnet_virtio.ko.xz'), '9pnet_virtio');
  assert.equal(moduleName('kernel/drivers/net/team/team-mode.ko.zst'), 'team_mode');
  assert.equal(moduleName('virtio-pci'), 'virtio_pci');
  assert.throws(() => parseModulesDep('kernel/a.ko kernel/b.ko\n'), { message: /line 1: no "path:"/ });
});
