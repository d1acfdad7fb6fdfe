// Compiles lib/ to CommonJS (dist/cjs) and writes a thin ES-module facade (dist/esm) that
// re-exports the same instance, so `import` and `require` users share one copy of the state.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
const names = Object.keys(createRequire(import.meta.url)(join(root, 'dist/cjs/index.js'))).filter((n) => n !== '__esModule');
mkdirSync(join(root, 'dist/esm'), { recursive: true });
writeFileSync(join(root, 'dist/esm/package.json'), '{ "type": "module" }\n');
writeFileSync(
  join(root, 'dist/esm/index.js'),
  `import cjs from '../cjs/index.js';\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
);
writeFileSync(join(root, 'dist/esm/index.d.ts'), `export * from '../cjs/index.js';\n`);
