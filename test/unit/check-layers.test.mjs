// The layer rule of lib/ (scripts/check-layers.mjs, run by npm run lint): the real tree follows
// it, and a tree that breaks it (an import upwards, across one layer, a cycle) is refused.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { check } from '../../scripts/check-layers.mjs';

/** A throwaway lib/ tree: { 'core/a.ts': "import …" }. */
function tree(files) {
  const dir = mkdtempSync(join(tmpdir(), 'netdev-layers-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function problems(files) {
  const dir = tree(files);
  try {
    return check(dir).map((p) => p.replaceAll(dir, 'lib'));
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
