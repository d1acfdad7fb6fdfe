// How to run node-gyp for this checkout: the project's own node-gyp (a devDependency), else the one
// npm ships (npm_config_node_gyp, set for install hooks); and the Node headers that come with the
// running Node when it has them, so a machine without internet access never downloads them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** argv (node, script, ...) that runs node-gyp with `args`, or null when no node-gyp is found. */
export function nodeGyp(args) {
  let script = null;
  try {
    script = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    script = process.env.npm_config_node_gyp ?? null;
  }
  if (script === null || !existsSync(script)) return null;
  const prefix = join(dirname(process.execPath), '..');
  const local = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/common.gypi'));
  return [process.execPath, script, ...args, ...(local ? [`--nodedir=${prefix}`] : [])];
}
