#!/usr/bin/env node
// Runs a command inside a private network + mount namespace, with a private tmpfs on /run (so
// /run/netns is private too): whatever the command creates never touches the host's interfaces,
// routes or named namespaces, and vanishes when it exits. As root it uses `unshare --net --mount`;
// otherwise `unshare -rmn` (a user namespace mapping the caller to root), which works wherever
// unprivileged user namespaces are allowed. A thin command line over netdev/testing's
// runInSandbox (built by npm run compile).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cmd = process.argv.slice(2);
if (cmd.length === 0) {
  console.error('usage: sandbox.mjs COMMAND [ARGS...]');
  process.exit(2);
}
const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cjs', 'testing', 'index.js');
if (!existsSync(built)) {
  console.error('sandbox: build netdev first (npm run compile)');
  process.exit(2);
}
const { runInSandbox } = createRequire(import.meta.url)(built);
try {
  process.exit(runInSandbox(cmd[0], cmd.slice(1)));
} catch (e) {
  console.error(`sandbox: ${e.message}`);
  process.exit(1);
}
