#!/usr/bin/env node
// The layer rules of lib/ and native/ (docs/architecture.md), checked by `npm run lint`: a module
// may import (a source may include) from its own folder and from folders of a lower layer, never
// from a higher one or from another folder of its own layer; and no cycle, between folders or
// between files. Type-only imports count: a layer that needs a higher one's types is a layer in
// the wrong place.
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
  ['link', 'sys', 'nft'], // links and their kinds, bridges; sysctls, processes and sockets in a namespace; nf_tables (NAT)
  ['ip', 'packet', 'ovs'], // addresses, routes, rules, neighbours; TUN/TAP packet I/O and GSO; the OVSDB client
  ['events'], // the rtnetlink event watcher, over every family
  ['.'], // index.ts: the public API
  ['testing'], // netdev/testing: fixtures for users' tests, over the public API
];

const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));

/**
 * Folders of native/ by layer, lowest first. Sources include each other by their path from
 * native/ ("netlink/nlsock.h"). native/test and native/fuzz are in no layer: they test and fuzz
 * the addon, and may include any folder of it.
 */
export const NATIVE_LAYERS = [
  ['base'], // UniqueFd, SysError: no N-API, no netlink
  ['sys', 'tools'], // namespaces and the system calls made inside one; the netdev-exec helper
  ['netlink'], // netlink messages, the socket, the per-namespace socket pool
  ['napi'], // the N-API boundary: per-env state, errors, arguments, handles, promise work, uv handles
  ['rtnl', 'packet'], // rtnetlink codecs and kind tables; TUN/TAP, the packet engine, Poller
  ['events'], // the rtnetlink monitor
  ['api'], // the operations the addon exports
  ['.'], // addon.cc: registration
];
const NATIVE_OUTSIDE = new Set(['test', 'fuzz']);
const nativeRank = new Map(NATIVE_LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));

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

/** The cycles of a file graph (file -> the files it depends on), as lines. */
function cycles(graph, what) {
  const problems = [];
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) problems.push(`${what} cycle: ${[...stack.slice(stack.indexOf(d)), d].map((x) => relative(root, x)).join(' -> ')}`);
      else if (!state.has(d) && graph.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return problems;
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
  problems.push(...cycles(graph, 'import'));
  return problems;
}

/** The quoted includes of a native source, as paths from native/ (unresolved). */
function includesOf(file) {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)].map((m) => m[1]);
}

/** The problems of the native tree at `top` (native/ by default), as lines. */
export function checkNative(top = join(root, 'native')) {
  const problems = [];
  const sources = (dir) =>
    readdirSync(dir).flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return dir === top && NATIVE_OUTSIDE.has(name) ? [] : sources(p);
      return /\.(cc|h)$/.test(name) ? [p] : [];
    });
  const all = sources(top);
  const graph = new Map(all.map((f) => [f, []]));
  for (const file of all) {
    const from = folderOf(file, top);
    const at = relative(root, file);
    if (!nativeRank.has(from)) problems.push(`${at}: folder native/${from} is in no layer (scripts/check-layers.mjs)`);
    for (const inc of includesOf(file)) {
      const dep = join(top, inc);
      if (!graph.has(dep)) {
        problems.push(`${at}: includes "${inc}", which is not a path from native/ to a source of the addon`);
        continue;
      }
      graph.get(file).push(dep);
      const to = folderOf(dep, top);
      if (to === from) continue;
      if (!(nativeRank.get(to) < nativeRank.get(from)))
        problems.push(`${at}: native/${from} may not include native/${to} ("${inc}"): ${nativeRank.get(to) === nativeRank.get(from) ? 'same layer' : 'a higher layer'}`);
    }
  }
  problems.push(...cycles(graph, 'include'));
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = [...check(), ...checkNative()];
  for (const p of problems) console.error(`check-layers: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`check-layers: lib/ follows its ${LAYERS.length} layers, native/ its ${NATIVE_LAYERS.length}; no cycle`);
}
