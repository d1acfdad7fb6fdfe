// Consumer fixture (scripts/check-consumer.mjs): netdev required as CommonJS from an installed
// package; the same checks as esm.mjs.
/* global process, console */
const { execFile, listLinks } = require('netdev');

(async () => {
  const names = (await listLinks()).map((l) => l.name);
  const exec = await execFile(process.execPath, ['-p', '6 * 7'], { netns: { pid: process.pid } });
  console.log(JSON.stringify({ names, exec: exec.stdout.trim() }));
})();
