#!/usr/bin/env node
// The layer rule of lib/ (docs/architecture.md), checked by `npm run lint`: a module may import
// from its own folder and from folders of a lower layer, never from a higher one or from another
// folder of its own layer; and no import cycle, between folders or between files. Type-only
// imports count: a layer that needs a higher one's types is a layer in the wrong place.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'lib');

/** Folders of lib/ by layer, lowest first. A folder may import only from lower layers. */
export const LAYERS = [
  ['core'], // the addon's typed boundary, errors, argument validation
  ['netlink'], // the netlink transport: batching, coalescing, reply expansion
  ['netns'], // namespaces: references, handles, ids
  ['link', 'sys'], // links and their kinds, bridges; sysctls, processes and sockets in a namespace
  ['ip', 'packet'], // addresses, routes, rules, neighbours; TUN/TAP packet I/O and GSO
  ['events'], // the rtnetlink event watcher, over every family
  ['.'], // index.ts: the public API
  ['testing'], // netdev/testing: fixtures for users' tests, over the public API
];

const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

/** The folder of a lib/ file as the layers name it ('.' for lib/ itself). */
function folderOf(file, top) {
  const rel = relative(top, dirname(file));
  return rel === '' ? '.' : rel.split('/')[0];
}

/** Relative imports (import, import type, export … from, import 'x') of a file, as .ts files. */
function importsOf(file) {
  const src = readFileSync(file, 'utf8');
  const specs = [
    ...[...src.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]),
    ...[...src.matchAll(/^\s*import\s+'(\.[^']+)'/gm)].map((m) => m[1]), // for its side effects
  ];
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The problems of the tree at `top` (lib/ by default), as lines; none when it follows the rule. */
export function check(top = lib) {
  const problems = [];
  const all = files(top);
  const graph = new Map(all.map((f) => [f, importsOf(f)]));
  for (const [file, deps] of graph) {
    const from = folderOf(file, top);
    if (!rank.has(from)) problems.push(`${relative(root, file)}: folder lib/${from} is in no layer (scripts/check-layers.mjs)`);
    for (const dep of deps) {
      if (!graph.has(dep)) {
        problems.push(`${relative(root, file)}: imports ${relative(root, dep)}, which is not a module of lib/`);
        continue;
      }
      const to = folderOf(dep, top);
      if (to === from) continue;
      if (!(rank.get(to) < rank.get(from)))
        problems.push(`${relative(root, file)}: lib/${from} may not import lib/${to} (${relative(root, dep)}): ${rank.get(to) === rank.get(from) ? 'same layer' : 'a higher layer'}`);
    }
  }
  // Cycles between files (folders cannot cycle once the rule above holds).
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(d)), d].map((x) => relative(root, x)).join(' -> ')}`);
      else if (!state.has(d) && graph.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = check();
  for (const p of problems) console.error(`check-layers: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`check-layers: lib/ follows its ${LAYERS.length} layers, no import cycle`);
}
