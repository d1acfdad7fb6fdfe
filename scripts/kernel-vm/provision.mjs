// Finds the distribution's current stock kernel with apt and unpacks it into the cache (never
// installed: the host's /boot and /lib/modules are untouched). apt-get update runs only when
// apt's lists are missing or stale, and only as root; unprivileged, a missing list is one
// message naming the command to run.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cachedKernel, commitKernel, describeKernel } from './cache.mjs';
import { decompressModules } from './decompress.mjs';
import { distroOf, resolveKernel } from './resolve.mjs';

const LISTS = '/var/lib/apt/lists';
const STALE_DAYS = 7;
const isRoot = process.getuid?.() === 0;

function listsAge() {
  const lists = existsSync(LISTS) ? readdirSync(LISTS).filter((f) => f.includes('_Packages')) : [];
  if (lists.length === 0) return Infinity;
  return (Date.now() - Math.max(...lists.map((f) => statSync(join(LISTS, f)).mtimeMs))) / 86400e3;
}

function aptUpdate(why) {
  console.log(`kernel-vm: apt-get update (${why})`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

const query = (cmd, pkg) => {
  try {
    const out = execFileSync('apt-cache', [cmd, pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() === '' ? null : out;
  } catch {
    return null;
  }
};
const apt = { depends: (pkg) => query('depends', pkg), show: (pkg) => query('show', pkg) };

/** { meta, version, packageVersion, packages } of the distribution's current stock kernel. */
export function resolveCandidate() {
  const distro = distroOf(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '');
  const age = listsAge();
  let updated = false;
  if (age === Infinity && !isRoot) throw new Error("apt's package lists are missing: run 'sudo apt-get update', then retry");
  if (age > STALE_DAYS && isRoot) {
    aptUpdate(age === Infinity ? 'its lists are missing' : `its lists are ${Math.floor(age)} days old`);
    updated = true;
  }
  try {
    return resolveKernel(distro, apt);
  } catch (e) {
    if (updated || !isRoot) throw e;
    aptUpdate(e.message);
    return resolveCandidate();
  }
}

function modulesDirOf(root, version) {
  for (const base of ['lib/modules', 'usr/lib/modules']) if (existsSync(join(root, base, version))) return join(base, version);
  throw new Error(`the packages hold no lib/modules/${version}`);
}

/** Downloads and unpacks `candidate` into the cache (once per release); returns the kernel. */
export function download(cache, candidate, busybox) {
  const { version, packages } = candidate;
  mkdirSync(cache, { recursive: true });
  const dir = join(cache, `.incoming-${process.pid}-${Date.now()}`);
  mkdirSync(dir);
  try {
    console.log(`kernel-vm: downloading ${packages.join(', ')} (${candidate.packageVersion}) into ${cache}`);
    execFileSync('apt-get', ['download', '-qq', ...packages], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
    const root = join(dir, 'root');
    for (const deb of readdirSync(dir).filter((f) => f.endsWith('.deb'))) {
      execFileSync('dpkg', ['-x', join(dir, deb), root]);
      rmSync(join(dir, deb));
    }
    const vmlinuz = join('root/boot', `vmlinuz-${version}`);
    if (!existsSync(join(dir, vmlinuz))) throw new Error(`${packages[0]} holds no boot/vmlinuz-${version}`);
    chmodSync(join(dir, vmlinuz), 0o644); // Ubuntu ships it 0600
    const modules = join('root', modulesDirOf(root, version));
    const n = decompressModules(join(dir, modules), version);
    if (n > 0) console.log(`kernel-vm: decompressed ${n} modules`);
    // The packages do not ship modules.dep (their postinst runs depmod): generate it for this tree.
    execFileSync(busybox, ['depmod', '-b', join(dir, modules, '../../..'), version]);
    if (!existsSync(join(dir, modules, 'modules.dep'))) throw new Error(`depmod wrote no modules.dep for ${version}`);
    describeKernel(dir, { version, packageVersion: candidate.packageVersion, packages, vmlinuz, modules, fetched: new Date().toISOString() });
    commitKernel(cache, version, dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return cachedKernel(cache, version);
}
