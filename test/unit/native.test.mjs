// Runs the native tests, built with AddressSanitizer and UBSan: the netlink socket's reply
// handling (native/test/nlsock_test.cc: a scripted fake kernel on a SOCK_SEQPACKET socketpair) and
// the message builder's length checks (native/test/nlmsg_test.cc).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;

const FLAGS = [
  '-std=c++17', '-O1', '-g', '-Wall', '-Wextra', '-Werror', '-Wno-missing-field-initializers',
  '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
];

/** Builds the sources into a test binary, runs it and checks its TAP output line by line. */
function runNative(t, name, sources) {
  const dir = mkdtempSync(join(tmpdir(), 'netdev-native-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, name);
  execFileSync('g++', [...FLAGS, '-o', bin, ...sources.map((s) => `${root}native/${s}`), '-lpthread'], { stdio: 'inherit' });
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
}

test('NlSocket against a fake kernel (ASan + UBSan)', (t) => {
  runNative(t, 'nlsock_test', ['test/nlsock_test.cc', 'nlsock.cc', 'netns.cc']);
});

test('MsgBuilder refuses attributes, nests and messages too long for their length fields (ASan + UBSan)', (t) => {
  runNative(t, 'nlmsg_test', ['test/nlmsg_test.cc']);
});
