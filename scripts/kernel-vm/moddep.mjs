// Pure logic over a kernel's modules.dep and modules.builtin (no I/O): which module files to
// load, and in which order, to get a set of root modules working. Used by scripts/kernel-vm.mjs
// to build its initramfs from the guest kernel's own dependency data, never a hard-coded list.

const SUFFIX = /\.ko(\.(xz|zst|gz))?$/;

/** The kernel's name for a module file: basename without .ko[.xz|.zst|.gz], '-' read as '_'. */
export function moduleName(path) {
  return path.split('/').pop().replace(SUFFIX, '').replaceAll('-', '_');
}

/** modules.dep ("kernel/a.ko: kernel/b.ko kernel/c.ko" per line) → Map name → { path, deps }. */
export function parseModulesDep(text) {
  const modules = new Map();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`modules.dep line ${i + 1}: no "path:" in ${JSON.stringify(raw)}`);
    const path = line.slice(0, colon).trim();
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    modules.set(moduleName(path), { path, deps: deps.map(moduleName), depPaths: deps });
  }
  return modules;
}

/** modules.builtin (one path per line) → Set of names. */
export function parseModulesBuiltin(text) {
  return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean).map(moduleName));
}

/**
 * The dependency closure of `roots`, dependencies first (a valid insmod order). Built-in modules
 * are left out (listed in `builtin`). Throws, naming the module, on a root or dependency that is
 * neither in modules.dep nor built in, and on a dependency cycle.
 * @returns {{ load: { name: string, path: string }[], builtin: string[] }}
 */
export function bootModules(depText, builtinText, roots) {
  const modules = parseModulesDep(depText);
  const builtins = parseModulesBuiltin(builtinText ?? '');
  const load = [];
  const builtin = [];
  const state = new Map(); // name → 'visiting' | 'done'
  const visit = (name, chain) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    const mod = modules.get(name);
    if (!mod) {
      if (builtins.has(name)) {
        state.set(name, 'done');
        builtin.push(name);
        return;
      }
      const by = chain.length > 0 ? ` (needed by ${chain.at(-1)})` : '';
      throw new Error(`module ${name}${by} is neither in modules.dep nor in modules.builtin`);
    }
    state.set(name, 'visiting');
    for (const dep of mod.deps) visit(dep, [...chain, name]);
    state.set(name, 'done');
    load.push({ name, path: mod.path });
  };
  for (const root of roots) visit(moduleName(root), []);
  return { load, builtin };
}
