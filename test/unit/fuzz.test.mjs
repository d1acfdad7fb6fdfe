// The native fuzz targets (native/fuzz, run by scripts/fuzz.mjs): a short run of each, bounded
// in executions, as part of `npm test`; the long runs are `npm run fuzz` (figures in
// docs/security.md). A finding of any kind (sanitizer report, abort, uncaught exception, hang)
// fails the target's test with libFuzzer's report.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from '../../scripts/native.mjs';
import { fuzzTarget, line, replay, seedFiles, targets } from '../../scripts/fuzz.mjs';

const RUNS = 20000;
const EXPECTED = ['link', 'addr', 'route', 'neigh', 'rule', 'nsid', 'messages', 'encode', 'reply', 'nlerror'];

build(['netdev-fuzz']);
const all = await targets();

test('a fuzz target for the encoder and for every reply decoder', () => {
  assert.deepEqual(all.map((t) => t.name).sort(), [...EXPECTED].sort());
  for (const t of all) assert.ok(seedFiles(t.name).length > 0, `${t.name} has seeds`);
});

for (const { name, what } of all) {
  test(`fuzz ${name} (${what}): ${RUNS} executions, no finding`, async (t) => {
    const r = await fuzzTarget(name, { runs: RUNS, keep: false });
    t.diagnostic(line(r));
    assert.equal(r.finding, null, r.finding ?? '');
    assert.equal(r.execs, RUNS);
    assert.ok(r.cov > 0, 'coverage is measured (the counters reach libFuzzer)');
  });
}

test('every seed replays without a finding (fuzzOne)', async () => {
  for (const { name } of all) {
    const r = await replay(name, seedFiles(name));
    assert.equal(r.code, 0, r.output.slice(-4000));
  }
});
