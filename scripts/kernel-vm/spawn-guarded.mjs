// Starts a child process that cannot outlive this one: it runs under `setpriv --pdeathsig KILL`
// (util-linux), so the kernel SIGKILLs it when its parent dies, SIGKILL of the parent included;
// setpriv sets the flag and then execs the command, so the guarded process is the command itself.
// On a normal exit, SIGINT, SIGTERM or SIGHUP the children are also killed explicitly.
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:os';

const live = new Set();
let hooked = false;

function killAll() {
  for (const child of live) child.kill('SIGKILL');
}

function hook() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(sig, () => {
      killAll();
      process.exit(128 + constants.signals[sig]);
    });
}

/** Throws a message naming the package when setpriv is missing. */
export function checkSetpriv() {
  try {
    execFileSync('setpriv', ['--help'], { stdio: 'ignore' });
  } catch {
    throw new Error("'setpriv' is missing: apt-get install util-linux");
  }
}

/** Like child_process.spawn(cmd, args, options), but the child dies with this process. */
export function spawnGuarded(cmd, args, options) {
  hook();
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], options);
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}
