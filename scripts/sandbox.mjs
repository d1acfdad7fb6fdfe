#!/usr/bin/env node
// Runs a command inside a private network + mount namespace, with a private tmpfs on /run (so
// /run/netns is private too): whatever the command creates never touches the host's interfaces,
// routes or named namespaces, and vanishes when it exits. As root it uses `unshare --net --mount`;
// otherwise `unshare -rmn` (a user namespace mapping the caller to root), which works wherever
// unprivileged user namespaces are allowed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const cmd = process.argv.slice(2);
if (cmd.length === 0) {
  console.error('usage: sandbox.mjs COMMAND [ARGS...]');
  process.exit(2);
}
if (process.env.NETDEV_SANDBOX === '1') {
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
// unshare makes every mount private from "/" down; in a chroot whose root is not itself a mount
// point that fails with a bare EINVAL, so say what to do instead.
const rootIsMount = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === '/');
if (!rootIsMount) {
  console.error('sandbox: "/" is not a mount point (a chroot?); bind-mount the root onto itself first: mount --bind DIR DIR');
  process.exit(1);
}
const root = process.getuid?.() === 0;
const unshare = root
  ? ['--net', '--mount', '--propagation', 'private']
  : ['--user', '--map-root-user', '--net', '--mount', '--propagation', 'private'];
const script = 'mount -t tmpfs -o mode=0755 netdev-run /run && mkdir -p /run/netns && exec "$@"';
const r = spawnSync('unshare', [...unshare, '--', 'sh', '-c', script, 'sh', ...cmd], {
  stdio: 'inherit',
  env: { ...process.env, NETDEV_SANDBOX: '1' },
});
if (r.error) {
  console.error(`sandbox: cannot run unshare: ${r.error.message}`);
  process.exit(1);
}
if (r.signal) process.kill(process.pid, r.signal);
process.exit(r.status ?? 1);
