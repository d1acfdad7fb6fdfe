// The layer rules of lib/ and native/ (scripts/check-layers.mjs, run by npm run lint): the real
// trees follow them, and a tree that breaks one (an import or include upwards, across one layer, a
// cycle) is refused.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { check, checkNative } from '../../scripts/check-layers.mjs';

/** A throwaway lib/ tree: { 'core/a.ts': "import …" }. */
function tree(files) {
  const dir = mkdtempSync(join(tmpdir(), 'netdev-layers-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function problems(files, checker = check, name = 'lib') {
  const dir = tree(files);
  try {
    return checker(dir).map((p) => p.replaceAll(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('lib/ follows its layers, with no import cycle', () => {
  assert.deepEqual(check(), []);
});

test('an import upwards, across a layer, or in a cycle is refused; type-only and side-effect imports count', () => {
  assert.deepEqual(problems({ 'core/a.ts': '', 'link/b.ts': "import { a } from '../core/a.js';\n", 'index.ts': "export * from './link/b.js';\n" }), []);
  assert.match(problems({ 'core/a.ts': "import type { B } from '../link/b.js';\n", 'link/b.ts': '' }).join('\n'), /lib\/core may not import lib\/link .*a higher layer/);
  assert.match(problems({ 'link/a.ts': "import '../sys/b.js';\n", 'sys/b.ts': '' }).join('\n'), /lib\/link may not import lib\/sys .*same layer/);
  assert.match(
    problems({ 'core/a.ts': "import { b } from './b.js';\n", 'core/b.ts': "import { a } from './a.js';\n" }).join('\n'),
    /import cycle: .*core\/a\.ts -> .*core\/b\.ts -> .*core\/a\.ts/,
  );
  assert.match(problems({ 'extra/a.ts': '' }).join('\n'), /folder lib\/extra is in no layer/);
});

test('native/ follows its layers, with no include cycle', () => {
  assert.deepEqual(checkNative(), []);
});

test('native/: an include upwards, across a layer, not from native/, or in a cycle is refused; test/ and fuzz/ are free', () => {
  const native = (files) => problems(files, checkNative, 'native');
  const base = { 'base/common.h': '', 'netlink/nlsock.h': '#include "base/common.h"\n' };
  assert.deepEqual(native({ ...base, 'addon.cc': '#include "netlink/nlsock.h"\n', 'test/t.cc': '#include "addon.h"\n' }), []);
  assert.match(native({ ...base, 'sys/netns.h': '#include "netlink/nlsock.h"\n' }).join('\n'), /native\/sys may not include native\/netlink .*a higher layer/);
  assert.match(native({ 'rtnl/a.h': '#include "packet/b.h"\n', 'packet/b.h': '' }).join('\n'), /native\/rtnl may not include native\/packet .*same layer/);
  assert.match(native({ ...base, 'netlink/nlsock.cc': '#include "nlsock.h"\n' }).join('\n'), /includes "nlsock.h", which is not a path from native\//);
  assert.match(
    native({ 'napi/a.h': '#include "napi/b.h"\n', 'napi/b.h': '#include "napi/a.h"\n' }).join('\n'),
    /include cycle: .*napi\/a\.h -> .*napi\/b\.h -> .*napi\/a\.h/,
  );
  assert.match(native({ 'extra/a.h': '' }).join('\n'), /folder native\/extra is in no layer/);
});
