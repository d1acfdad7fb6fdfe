// Link kinds the host kernel lacks, run on a stock distribution kernel (scripts/kernel-vm.mjs).
// Executed directly (one Node process: starting Node under TCG costs seconds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listLinks } from 'netdev';

test('the guest kernel runs netdev', async () => {
  const links = await listLinks();
  assert.ok(links.some((l) => l.name === 'lo'));
});
