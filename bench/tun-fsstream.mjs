// The fs-stream baseline for bench/tun.mjs: fd 3 is a blocking TUN opened by tun_ref --exec-fd.
// Reads with fs.createReadStream (what fs-based Node TUN packages do), restores the TTL, writes
// back with one fs.writeSync per packet. Prints {"packets":N,"seconds":S}. Exits by itself: the
// stream's close never calls back on an idle TUN (a threadpool thread stays in read()).
import { createReadStream, writeSync } from 'node:fs';
import { restoreTtl } from './tun-loop.mjs';

const [seconds, hex, windowSize] = process.argv.slice(2);
const fd = 3;
const pkt = Buffer.from(hex, 'hex');
for (let i = 0; i < Number(windowSize); i++) writeSync(fd, pkt);
let n = 0;
const t0 = performance.now();
const stream = createReadStream(null, { fd, highWaterMark: 65536, autoClose: false });
stream.on('data', (chunk) => {
  restoreTtl(chunk);
  writeSync(fd, chunk);
  n++;
});
setTimeout(() => {
  console.log(JSON.stringify({ packets: n, seconds: (performance.now() - t0) / 1000 }));
  process.exit(0);
}, Number(seconds) * 1000);
