// After prebuildify: the netdev-exec helper (spawn in a namespace) goes next to the prebuilt
// addon, where lib/sys/process.ts looks for it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
mkdirSync(dir, { recursive: true });
copyFileSync(join(root, 'build', 'Release', 'netdev-exec'), join(dir, 'netdev-exec'));
console.log(`netdev-exec -> ${dir}`);
