// Compiles lib/ to CommonJS (dist/cjs) and writes a thin ES-module facade (dist/esm) that
// re-exports the same instance, so `import` and `require` users share one copy of the state.
// Skipped when nothing it reads changed since the last build (`--force` builds anyway).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist/.built');

/** The newest modification time among the build's inputs. */
function newestInput() {
  const files = ['tsconfig.json', 'package.json', 'scripts/build-ts.mjs'].map((f) => join(root, f));
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
    }
  };
  walk(join(root, 'lib'));
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

const inputs = newestInput();
if (!process.argv.includes('--force') && existsSync(stamp) && statSync(stamp).mtimeMs >= inputs) process.exit(0);
// The stamp carries the time the build started: an input edited during the build is newer.
const started = new Date();
// From scratch: a module moved or removed in lib/ must not live on in dist/ (and in the package).
rmSync(join(root, 'dist/cjs'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
mkdirSync(join(root, 'dist/esm'), { recursive: true });
writeFileSync(join(root, 'dist/esm/package.json'), '{ "type": "module" }\n');
// One facade per entry point of package.json's exports: `netdev` and `netdev/testing`. It loads the
// CommonJS build with Node's own require rather than `import cjs from`: a module loader that runs
// CommonJS itself would otherwise get a second copy, and vitest, which does so for a package outside
// node_modules (npm link, workspaces, this repository), does not see the getters that tsc's
// re-exports define (Object.defineProperty(exports, …)): every export of 'netdev' came out undefined.
for (const [esm, cjsPath] of [['index', 'index'], ['testing', 'testing/index']]) {
  const names = Object.keys(createRequire(import.meta.url)(join(root, `dist/cjs/${cjsPath}.js`))).filter((n) => n !== '__esModule');
  writeFileSync(
    join(root, `dist/esm/${esm}.js`),
    `import { createRequire } from 'node:module';\n` +
      `const cjs = createRequire(import.meta.url)('../cjs/${cjsPath}.js');\n` +
      `export const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
  );
  writeFileSync(join(root, `dist/esm/${esm}.d.ts`), `export * from '../cjs/${cjsPath}.js';\n`);
}
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
