// Finds a stock kernel with apt and unpacks it into the cache (never installed: the host's /boot
// and /lib/modules are untouched). Each kernel line names an apt state: the host's own (its
// sources and lists), or a private one under the cache that sees one extra suite (backports)
// without touching the host's sources. apt-get update runs only when the state's lists are
// missing or stale, and only as root; unprivileged, missing lists are one message naming what
// to run.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedKernel, commitKernel, describeKernel } from './cache.mjs';
import { decompressModules } from './decompress.mjs';
import { backportsSource, distroOf, resolveKernel } from './resolve.mjs';

const STALE_DAYS = 7;
const isRoot = process.getuid?.() === 0;
const say = (msg) => console.log(`kernel-vm: ${msg}`);
const osRelease = () => (existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '');

/**
 * An apt state: `options` go before every apt-get/apt-cache command; `lists` is its lists folder.
 * @typedef {{ name: string, options: string[], lists: string, missing: string, prepare: () => void,
 *   outdated: () => boolean }} AptState
 *   missing: what to do when the lists are missing and this process may not fetch them;
 *   outdated: the lists were fetched for other sources (the release was upgraded)
 */

/** The host's own apt state. */
export const HOST_APT = {
  name: "the host's",
  options: [],
  lists: '/var/lib/apt/lists',
  missing: "apt's package lists are missing: run 'sudo apt-get update', then retry",
  prepare() {},
  outdated: () => false,
};

/**
 * A private apt state in `dir` whose only source is `source` (an apt sources line): its own
 * sources file, lists and package cache; the host's sources, lists and preferences are not used
 * or changed. Building it does no I/O; prepare() (root, before apt-get update) creates the folders.
 */
export function privateApt(dir, source, hint = '') {
  const sources = join(dir, 'sources.list');
  const lists = join(dir, 'lists');
  const cache = join(dir, 'cache');
  const line = `${source}\n`;
  return {
    name: `the private ${source.split(' ')[2]}`,
    options: ['-o', `Dir::Etc::sourcelist=${sources}`, '-o', 'Dir::Etc::sourceparts=/dev/null', '-o', `Dir::State::Lists=${lists}`, '-o', `Dir::Cache=${cache}`],
    lists,
    missing: `the private apt lists for '${source}' (${lists}) are missing or outdated, and only root may fetch them${hint}`,
    prepare() {
      for (const d of [join(lists, 'partial'), join(cache, 'archives', 'partial')]) mkdirSync(d, { recursive: true });
      writeFileSync(sources, line);
    },
    outdated: () => !existsSync(sources) || readFileSync(sources, 'utf8') !== line,
  };
}

/** The private apt state of the running Debian release's backports suite, under the kernel cache. */
export function backportsApt(kernelCache) {
  const source = backportsSource(osRelease());
  // Root fills this cache's private lists (and the line's kernel) once; the user's runs read them.
  const run = `sudo env NETDEV_VM_CACHE=${kernelCache} NETDEV_VM_LINES=backports node scripts/kernel-vm.mjs`;
  return privateApt(join(kernelCache, '.apt-backports'), source, `: run '${run}' once, then retry`);
}

function listsAge(lists) {
  const found = existsSync(lists) ? readdirSync(lists).filter((f) => f.includes('_Packages')) : [];
  if (found.length === 0) return Infinity;
  return (Date.now() - Math.max(...found.map((f) => statSync(join(lists, f)).mtimeMs))) / 86400e3;
}

function aptUpdate(state, log, why) {
  log(`apt-get update of ${state.name} lists (${why})`);
  state.prepare();
  execFileSync('apt-get', [...state.options, 'update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function queries(state) {
  const query = (cmd, pkg) => {
    try {
      const out = execFileSync('apt-cache', [...state.options, cmd, pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return out.trim() === '' ? null : out;
    } catch {
      return null;
    }
  };
  return { depends: (pkg) => query('depends', pkg), show: (pkg) => query('show', pkg) };
}

/**
 * { meta, version, packageVersion, packages } of the current stock kernel that `state` sees.
 * `log` prints a line of the runner's (kernel-vm.mjs's line prefix added by the caller).
 */
export function resolveCandidate(state = HOST_APT, log = say) {
  const distro = distroOf(osRelease());
  const outdated = state.outdated();
  const age = outdated ? Infinity : listsAge(state.lists);
  let updated = false;
  if (age === Infinity && !isRoot) throw new Error(state.missing);
  if (age > STALE_DAYS && isRoot) {
    aptUpdate(state, log, outdated ? 'they are missing or were fetched for other sources' : age === Infinity ? 'they are missing' : `they are ${Math.floor(age)} days old`);
    updated = true;
  }
  try {
    return resolveKernel(distro, queries(state));
  } catch (e) {
    if (updated || !isRoot) throw e;
    aptUpdate(state, log, e.message);
    return resolveCandidate(state, log);
  }
}

function modulesDirOf(root, version) {
  for (const base of ['lib/modules', 'usr/lib/modules']) if (existsSync(join(root, base, version))) return join(base, version);
  throw new Error(`the packages hold no lib/modules/${version}`);
}

/**
 * Downloads and unpacks `candidate` into the cache (once per release); returns the kernel.
 * `aptOptions` are the apt state's (HOST_APT's are none) that resolved it.
 */
export function download(cache, candidate, busybox, aptOptions = [], log = say) {
  const { version, packages } = candidate;
  mkdirSync(cache, { recursive: true });
  const dir = join(cache, `.incoming-${process.pid}-${Date.now()}`);
  mkdirSync(dir);
  try {
    log(`downloading ${packages.join(', ')} (${candidate.packageVersion}) into ${cache}`);
    execFileSync('apt-get', [...aptOptions, 'download', '-qq', ...packages], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
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
    if (n > 0) log(`decompressed ${n} modules`);
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
