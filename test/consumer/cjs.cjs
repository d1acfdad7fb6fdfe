// Consumer fixture (scripts/check-consumer.mjs): netdev required as CommonJS from an installed
// package; the same checks as esm.mjs.
/* global process, console */
const { execFile, listLinks } = require('netdev');
const { withNetns } = require('netdev/testing');

(async () => {
  const names = (await listLinks()).map((l) => l.name);
  const fresh = await withNetns(async (ns) => (await listLinks({ netns: ns })).map((l) => l.name));
  if (fresh.join() !== 'lo') throw new Error(`netdev/testing: a fresh namespace holds ${fresh}`);
  const exec = await execFile(process.execPath, ['-p', '6 * 7'], { netns: { pid: process.pid } });
  console.log(JSON.stringify({ names, exec: exec.stdout.trim() }));
})();
