// npm test's closing lines (scripts/test-summary.mjs): a tier that ran nothing says so and why,
// and still counts as a failure in the combined line CI parses. No privileges, no I/O.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tierLines, totalLine } from '../../scripts/test-summary.mjs';

const host = { code: 0, seen: true, passed: 85, failed: 0, skipped: 0 };

test('a tier that failed before running tests: its reason, and one failure in the total', () => {
  const vm = { code: 1, seen: false, passed: 0, failed: 0, skipped: 0, reason: 'insmod virtio: unknown symbol in module' };
  assert.deepEqual(tierLines('kernel-matrix tier', vm), ['kernel-matrix tier: FAILED before running tests: insmod virtio: unknown symbol in module']);
  assert.equal(totalLine([host, vm]), '85 passed, 1 failed, 0 skipped');
  assert.deepEqual(tierLines('host tier', { ...vm, reason: undefined, code: 2 }), ['host tier: FAILED before running tests: exit 2, no test summary']);
});

test('both tiers failing without failed tests count one failure each; failed tests count as they are', () => {
  const none = { code: 1, seen: false, passed: 0, failed: 0, skipped: 0 };
  assert.equal(totalLine([none, none]), '0 passed, 2 failed, 0 skipped');
  const failing = { code: 1, seen: true, passed: 10, failed: 3, skipped: 1 };
  assert.equal(totalLine([host, failing]), '95 passed, 3 failed, 1 skipped');
  assert.deepEqual(tierLines('kernel-matrix tier', { ...failing, reason: 'guest exit 1' }), ['kernel-matrix tier: FAILED: 10 passed, 3 failed, 1 skipped: guest exit 1']);
  // A runner that exits non-zero with every test passed is still a failed tier.
  assert.deepEqual(tierLines('host tier', { ...host, code: 1 }), ['host tier: FAILED: 85 passed, 0 failed, 0 skipped (exit 1)']);
  assert.equal(totalLine([{ ...host, code: 1 }]), '85 passed, 1 failed, 0 skipped');
});

test('passing tiers: plain counts; warnings (a kernel fallback) are repeated', () => {
  const vm = { code: 0, seen: true, passed: 15, failed: 0, skipped: 0, warnings: ['kernel 6.1.0-58-amd64 FAILED TO BOOT (insmod x: y); falling back to the last kernel that passed, 6.1.0-57-amd64'] };
  assert.deepEqual(tierLines('kernel-matrix tier', vm), [
    'kernel-matrix tier: 15 passed, 0 failed, 0 skipped',
    'kernel-matrix tier: WARNING: kernel 6.1.0-58-amd64 FAILED TO BOOT (insmod x: y); falling back to the last kernel that passed, 6.1.0-57-amd64',
  ]);
  assert.equal(totalLine([host, vm]), '100 passed, 0 failed, 0 skipped');
});
