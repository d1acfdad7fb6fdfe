// The kernel-matrix cache (scripts/kernel-vm/cache.mjs): per-line records of the last good
// kernel (and the single-line runner's file read as the stable line's), which releases the lines
// still need, and prune() on a scratch cache folder holding two lines' releases; the backports
// line's private apt state (provision.mjs) on a scratch folder. No privileges, no network.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastGood, lineRecords, prune, readLines, recordCandidate, recordGood, releasesInUse, withGood, withLine } from '../../scripts/kernel-vm/cache.mjs';
import { privateApt } from '../../scripts/kernel-vm/provision.mjs';

const STABLE = '6.1.0-57-amd64';
const BPO = '6.12.95+deb12-amd64';

function scratch(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-cache-unit-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('last-good records: per line; the single-line file is the stable line; junk is none', () => {
  const old = { version: '6.1.0-56-amd64', at: '2026-11-30T00:00:00.000Z', passed: 15 };
  assert.deepEqual(lineRecords(old), { stable: old });
  const lines = { stable: { version: STABLE }, backports: { version: BPO } };
  assert.deepEqual(lineRecords({ lines }), lines);
  for (const junk of [null, undefined, 42, 'x', {}, { version: 5 }, { lines: null }]) assert.deepEqual(lineRecords(junk), {});
});

test('withGood: the release that passed replaces the old one, the candidate stays; other lines untouched', () => {
  let r = lineRecords({ version: '6.1.0-56-amd64', at: 'a', passed: 15 });
  r = withLine(r, 'stable', { candidate: STABLE });
  r = withGood(r, 'stable', STABLE, 20, 'b');
  assert.deepEqual(r.stable, { version: STABLE, at: 'b', passed: 20, candidate: STABLE });
  r = withGood(r, 'backports', BPO, 26, 'd');
  assert.deepEqual(r.backports, { version: BPO, at: 'd', passed: 26 });
  assert.equal(r.stable.version, STABLE);
});

test('releasesInUse: every configured line\'s last good and candidate release, once', () => {
  const r = {
    stable: { version: STABLE, candidate: '6.1.0-58-amd64' }, // -58 failed to boot: -57 is the fallback
    backports: { version: BPO, candidate: BPO },
    gone: { version: '5.10.0-30-amd64' },
  };
  assert.deepEqual(releasesInUse(r, ['stable', 'backports']), [STABLE, '6.1.0-58-amd64', BPO]);
  assert.deepEqual(releasesInUse({ backports: { candidate: BPO } }, ['stable', 'backports']), [BPO]);
  assert.deepEqual(releasesInUse({}, ['stable']), []);
});

test('recordGood and recordCandidate on disk: the old file migrates; lastGood per line', () => {
  scratch((cache) => {
    writeFileSync(join(cache, 'last-good.json'), JSON.stringify({ version: '6.1.0-56-amd64', at: 'a', passed: 15 }));
    assert.equal(lastGood(cache, 'stable').version, '6.1.0-56-amd64');
    assert.equal(lastGood(cache, 'backports'), null);
    recordCandidate(cache, 'backports', BPO);
    assert.equal(lastGood(cache, 'backports'), null); // a candidate is not a good kernel
    recordGood(cache, 'backports', BPO, 26);
    recordGood(cache, 'stable', STABLE, 20);
    const file = JSON.parse(readFileSync(join(cache, 'last-good.json'), 'utf8'));
    assert.deepEqual(Object.keys(file), ['lines']);
    assert.deepEqual([file.lines.stable.version, file.lines.stable.passed, file.lines.backports.version], [STABLE, 20, BPO]);
    assert.deepEqual(readLines(cache), file.lines);
  });
});

test('prune keeps both lines\' releases and the private apt state; removes the rest and stale downloads', () => {
  scratch((cache) => {
    const young = `.incoming-1-${Date.now()}`; // another run's download in progress
    const dirs = [STABLE, '6.1.0-58-amd64', '6.1.0-56-amd64', BPO, '6.12.90+deb12-amd64', '.apt-backports', young, '.incoming-2-1000'];
    for (const d of dirs) mkdirSync(join(cache, d));
    writeFileSync(join(cache, 'last-good.json'), '{}');
    recordGood(cache, 'stable', '6.1.0-56-amd64', 15);
    recordGood(cache, 'stable', STABLE, 20);
    recordCandidate(cache, 'stable', '6.1.0-58-amd64'); // did not boot: tried again next time
    recordGood(cache, 'backports', BPO, 26);
    const removed = prune(cache, releasesInUse(readLines(cache), ['stable', 'backports']));
    assert.deepEqual(removed.sort(), ['.incoming-2-1000', '6.1.0-56-amd64', '6.12.90+deb12-amd64']);
    assert.deepEqual(readdirSync(cache).sort(), ['.apt-backports', young, '6.1.0-58-amd64', STABLE, BPO, 'last-good.json'].sort());
  });
});

test('private apt state: prepare() writes its sources line and folders; another line makes it outdated', () => {
  scratch((dir) => {
    const s = privateApt(join(dir, '.apt-backports'), 'deb http://deb.debian.org/debian bookworm-backports main');
    assert.equal(s.outdated(), true); // never prepared: apt-get update first
    s.prepare();
    assert.equal(s.outdated(), false);
    assert.equal(readFileSync(join(dir, '.apt-backports/sources.list'), 'utf8'), 'deb http://deb.debian.org/debian bookworm-backports main\n');
    assert.deepEqual(readdirSync(join(dir, '.apt-backports')).sort(), ['cache', 'lists', 'sources.list']);
    const upgraded = privateApt(join(dir, '.apt-backports'), 'deb http://deb.debian.org/debian trixie-backports main');
    assert.equal(upgraded.outdated(), true); // the release moved on: its lists are the old suite's
  });
});
