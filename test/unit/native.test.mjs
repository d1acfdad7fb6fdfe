// Runs the native tests, built with AddressSanitizer and UBSan by native/CMakeLists.txt
// (scripts/native.mjs): the netlink socket's reply handling (native/test/nlsock_test.cc: a
// scripted fake kernel on a SOCK_SEQPACKET socketpair) and the message builder's length checks
// (native/test/nlmsg_test.cc).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { artifact, build } from '../../scripts/native.mjs';

/** Builds the test binary, runs it and checks its TAP output line by line. */
function runNative(t, name) {
  build([name]);
  const out = execFileSync(artifact(name), { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
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

test('NlSocket against a fake kernel (ASan + UBSan)', (t) => runNative(t, 'nlsock_test'));

test('MsgBuilder refuses attributes, nests and messages too long for their length fields (ASan + UBSan)', (t) =>
  runNative(t, 'nlmsg_test'));
