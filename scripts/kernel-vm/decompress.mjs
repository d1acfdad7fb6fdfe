// Decompresses a kernel's .ko.xz / .ko.zst / .ko.gz modules in place (on the host, once, in the
// cache), so that the guest's busybox insmod/modprobe only ever see plain .ko files. Busybox's
// insmod reads a compressed module only through its own unpackers (gzip/xz, when built with
// them; never zstd), and does not ask the kernel to decompress. A missing decompressor is a
// clear error naming the package to install.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const TOOLS = {
  '.ko.xz': { cmd: 'xz', args: ['-d', '-q'], pkg: 'xz-utils' },
  '.ko.zst': { cmd: 'zstd', args: ['-d', '-q', '--rm'], pkg: 'zstd' },
  '.ko.gz': { cmd: 'gzip', args: ['-d', '-q'], pkg: 'gzip' },
};

function have(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Returns how many modules were decompressed. */
export function decompressModules(dir, version) {
  const files = readdirSync(dir, { recursive: true }).map(String);
  let n = 0;
  for (const [ext, tool] of Object.entries(TOOLS)) {
    const found = files.filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
    if (found.length === 0) continue;
    if (!have(tool.cmd)) throw new Error(`kernel ${version} ships ${ext} modules and '${tool.cmd}' is missing: apt-get install ${tool.pkg}`);
    for (let i = 0; i < found.length; i += 500) execFileSync(tool.cmd, [...tool.args, '--', ...found.slice(i, i + 500)]);
    n += found.length;
  }
  return n;
}
