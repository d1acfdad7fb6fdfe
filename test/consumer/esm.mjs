// Consumer fixture (scripts/check-consumer.mjs): netdev imported as an ES module from an installed
// package, run inside a private network namespace. Lists the links there (only lo) and runs a
// program in the namespace through the netdev-exec helper; prints what it saw as JSON.
import netdev, { execFile, listLinks } from 'netdev';
import { withNetns } from 'netdev/testing';

const names = (await listLinks()).map((l) => l.name);
const fresh = await withNetns(async (ns) => (await listLinks({ netns: ns })).map((l) => l.name));
if (fresh.join() !== 'lo') throw new Error(`netdev/testing: a fresh namespace holds ${fresh}`);
const exec = await execFile(process.execPath, ['-p', '6 * 7'], { netns: { pid: process.pid } });
console.log(JSON.stringify({ names, exec: exec.stdout.trim(), oneInstance: netdev.listLinks === listLinks }));
