// A process started by scripts/kernel-vm/spawn-guarded.mjs (how the kernel-matrix runner starts
// qemu) dies with its parent: SIGKILL of the parent (no handler can run: the kernel's
// parent-death signal does it) and SIGTERM (the parent's handler). No privileges needed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { waitFor } from '../helpers.mjs';

const module = new URL('../../scripts/kernel-vm/spawn-guarded.mjs', import.meta.url).href;
const parentCode = `
import { spawnGuarded } from ${JSON.stringify(module)};
const child = spawnGuarded('sleep', ['300'], { stdio: 'ignore' });
child.on('spawn', () => console.log('pid', child.pid));
setInterval(() => {}, 1000);
`;

/** Running (not gone, not a zombie waiting to be reaped). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function startParent() {
  const parent = spawn(process.execPath, ['--input-type=module', '-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  parent.stdout.setEncoding('utf8');
  let out = '';
  parent.stdout.on('data', (chunk) => (out += chunk));
  const pid = await waitFor(() => Number(/pid (\d+)/.exec(out)?.[1]) || null, { timeout: 10000, what: 'the guarded child to start' });
  // setpriv execs the command in the same process: the guarded pid becomes `sleep 300` itself.
  const cmdline = () => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  await waitFor(() => cmdline() === 'sleep\x00300\x00', { timeout: 5000, what: `pid ${pid} to be sleep (it is ${JSON.stringify(cmdline())})` });
  assert.ok(alive(pid), 'the guarded child runs');
  return { parent, pid };
}

for (const signal of ['SIGKILL', 'SIGTERM']) {
  test(`the guarded child dies when its parent gets ${signal}`, async () => {
    const { parent, pid } = await startParent();
    const exited = once(parent, 'exit');
    parent.kill(signal);
    await exited;
    await waitFor(() => !alive(pid), { timeout: 5000, what: `sleep ${pid} to die after its parent's ${signal}` });
  });
}
