// The kernel cache: one folder per kernel release, outside the work tree so that a fresh clone
// on the same machine (CI's) reuses it, plus, per kernel line (stable, backports), a record of
// the last release that booted and passed.
//   $NETDEV_VM_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/netdev/kernel-vm
//     <release>/kernel.json   what was unpacked (packages, paths)
//     <release>/root/         the packages' files (dpkg -x), modules decompressed, depmod run
//     .apt-<name>/            a line's private apt state (provision.mjs), not a release
//     last-good.json          { lines: { <line>: { version, at, passed, candidate } } }
//       version: the last release that passed; candidate: the distribution's current release
//       when the line last resolved it.
//       A file of the single-line runner ({ version, at, passed }) reads as the stable line's.
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

/** The line the single-line runner's last-good.json was about. */
export const FIRST_LINE = 'stable';

/** The per-line records of last-good.json's parsed content (pure; null or junk → none). */
export function lineRecords(json) {
  if (json && typeof json.lines === 'object' && json.lines !== null) return json.lines;
  if (typeof json?.version === 'string') return { [FIRST_LINE]: json };
  return {};
}

/** `records` with `line`'s record updated by `patch` (pure). */
export function withLine(records, line, patch) {
  return { ...records, [line]: { ...records[line], ...patch } };
}

/** `records` after `version` passed on `line`, with `passed` tests, at `at` (pure). */
export function withGood(records, line, version, passed, at) {
  return withLine(records, line, { version, at, passed });
}

/**
 * Every release one of `lines` (names) still needs: its last good one (the fallback) and its
 * candidate (tried again next time without a download) (pure). Lines no longer run keep none.
 */
export function releasesInUse(records, lines) {
  const all = lines.flatMap((l) => [records[l]?.version, records[l]?.candidate]);
  return [...new Set(all.filter((v) => typeof v === 'string' && v !== ''))];
}

const LAST_GOOD = 'last-good.json';
export const readLines = (cache) => lineRecords(readJson(join(cache, LAST_GOOD)));

/** `line`'s last good record ({ version, at, passed }), or null. */
export function lastGood(cache, line) {
  const r = readLines(cache)[line];
  return typeof r?.version === 'string' ? r : null;
}

function updateLines(cache, update) {
  mkdirSync(cache, { recursive: true });
  writeJsonAtomic(join(cache, LAST_GOOD), { lines: update(readLines(cache)) });
}

export function recordGood(cache, line, version, passed) {
  updateLines(cache, (records) => withGood(records, line, version, passed, new Date().toISOString()));
}

/** Remembers the distribution's current release of `line`, so that prune() keeps it. */
export function recordCandidate(cache, line, version) {
  updateLines(cache, (records) => withLine(records, line, { candidate: version }));
}

/**
 * Removes every cached release but `keep`, and leftovers of interrupted downloads. Other folders
 * whose name starts with a dot (the lines' private apt states) are not releases and stay.
 */
export function prune(cache, keep) {
  if (!existsSync(cache)) return [];
  const removed = [];
  for (const entry of readdirSync(cache, { withFileTypes: true })) {
    if (!entry.isDirectory() || keep.includes(entry.name)) continue;
    if (entry.name.startsWith('.') && !entry.name.startsWith('.incoming-')) continue;
    // A download in progress (another run) is young; one older than an hour was interrupted.
    if (entry.name.startsWith('.incoming-') && Date.now() - Number(entry.name.split('-').pop()) < 3600e3) continue;
    rmSync(join(cache, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}
