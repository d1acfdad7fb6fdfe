// Builds the initramfs (cpio newc, gzip): static busybox, the boot modules (the dependency
// closure of ROOTS from the guest kernel's own modules.dep, in load order) and /init.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { guestInit } from './guest-init.mjs';
import { bootModules } from './moddep.mjs';

/** What mounting the host's root over 9p (virtio-9p-pci) needs: the rest follows from modules.dep. */
export const ROOTS = ['virtio_pci', '9pnet_virtio', '9p'];

const read = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** The boot modules of `kernel`, in load order, and the roots that are built in. */
export function planBoot(kernel) {
  return bootModules(read(join(kernel.modules, 'modules.dep')), read(join(kernel.modules, 'modules.builtin')), ROOTS);
}

/** Writes `<work>/initrd.gz`; returns its path and the boot plan. */
export function buildInitramfs({ kernel, busybox, project, work }) {
  const plan = planBoot(kernel);
  const dir = join(work, 'initramfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'host', 'modules', 'lib/modules']) mkdirSync(join(dir, d), { recursive: true });
  cpSync(busybox, join(dir, 'bin/busybox'));
  for (const m of plan.load) {
    if (!m.path.endsWith('.ko')) throw new Error(`boot module ${m.path} is compressed: the cache should hold it decompressed`);
    cpSync(join(kernel.modules, m.path), join(dir, 'modules', `${m.name}.ko`));
  }
  writeFileSync(join(dir, 'init'), guestInit({ boot: plan.load.map((m) => m.name), guestModules: dirname(kernel.modules), project }));
  chmodSync(join(dir, 'init'), 0o755);
  const initrd = join(work, 'initrd.gz');
  execFileSync('sh', ['-c', `cd '${dir}' && find . | cpio -o -H newc --quiet | gzip -1 > '${initrd}'`]);
  return { initrd, plan };
}
