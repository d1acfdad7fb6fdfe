// The kernel cache: one folder per kernel release, outside the work tree so that a fresh clone
// on the same machine (CI's) reuses it, plus a record of the last release that booted and passed.
//   $NETDEV_VM_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/netdev/kernel-vm
//     <release>/kernel.json   what was unpacked (packages, paths)
//     <release>/root/         the packages' files (dpkg -x), modules decompressed, depmod run
//     last-good.json          { version, at, passed }
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir() {
  if (process.env.NETDEV_VM_CACHE) return process.env.NETDEV_VM_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'netdev', 'kernel-vm');
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function writeJsonAtomic(path, value) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The unpacked kernel `version` from the cache, or null when absent or incomplete. */
export function cachedKernel(cache, version) {
  const dir = join(cache, version);
  const meta = readJson(join(dir, 'kernel.json'));
  if (!meta || meta.version !== version) return null;
  const kernel = { ...meta, vmlinuz: join(dir, meta.vmlinuz), modules: join(dir, meta.modules) };
  return existsSync(kernel.vmlinuz) && existsSync(join(kernel.modules, 'modules.dep')) ? kernel : null;
}

/** Stores kernel.json (paths relative to the release folder) in `dir`. */
export function describeKernel(dir, meta) {
  writeJsonAtomic(join(dir, 'kernel.json'), meta);
}

/** Moves a fully prepared folder into place as `version`; false when another run got there first. */
export function commitKernel(cache, version, dir) {
  try {
    renameSync(dir, join(cache, version));
    return true;
  } catch (e) {
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
}

export function lastGood(cache) {
  return readJson(join(cache, 'last-good.json'));
}

export function recordGood(cache, version, passed) {
  mkdirSync(cache, { recursive: true });
  writeJsonAtomic(join(cache, 'last-good.json'), { version, at: new Date().toISOString(), passed });
}

/** Removes every cached release but `keep`, and leftovers of interrupted downloads. */
export function prune(cache, keep) {
  if (!existsSync(cache)) return [];
  const removed = [];
  for (const entry of readdirSync(cache, { withFileTypes: true })) {
    if (!entry.isDirectory() || keep.includes(entry.name)) continue;
    // A download in progress (another run) is young; one older than an hour was interrupted.
    if (entry.name.startsWith('.incoming-') && Date.now() - Number(entry.name.split('-').pop()) < 3600e3) continue;
    rmSync(join(cache, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}
