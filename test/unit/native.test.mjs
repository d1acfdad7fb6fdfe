// Runs the native tests of the netlink socket's reply handling (native/test/nlsock_test.cc: a
// scripted fake kernel on a SOCK_SEQPACKET socketpair), built with AddressSanitizer and UBSan.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;

test('NlSocket against a fake kernel (ASan + UBSan)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netdev-native-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'nlsock_test');
  execFileSync('g++', [
    '-std=c++17', '-O1', '-g', '-Wall', '-Wextra', '-Werror', '-Wno-missing-field-initializers',
    '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-o', bin,
    `${root}native/test/nlsock_test.cc`, `${root}native/nlsock.cc`, `${root}native/netns.cc`, '-lpthread',
  ], { stdio: 'inherit' });
  const out = execFileSync(bin, { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  const lines = out.trim().split('\n');
  const plan = lines.find((l) => /^1\.\.\d+$/.test(l));
  assert.ok(plan, out);
  const results = lines.filter((l) => /^(not )?ok \d+/.test(l));
  assert.equal(results.length, Number(plan.slice(3)));
  for (const l of results) {
    t.diagnostic(l);
    assert.ok(l.startsWith('ok '), l);
  }
});
