// Pure logic (no I/O): which packages hold the distribution's current stock kernel, from the
// text of /etc/os-release, `apt-cache depends` and `apt-cache show`. The caller passes the queries
// in, so the rules are unit-tested on canned outputs of distributions this machine cannot reach.
//
// Debian: linux-image-amd64 → linux-image-<ver>-amd64, which holds vmlinuz and every module.
// Ubuntu: linux-image-generic → linux-image-<ver>-generic (vmlinuz only) → linux-modules-<ver>-
// generic (most modules) and, where it exists, linux-modules-extra-<ver>-generic (the rest:
// many of the link kinds the tests need).
//
// The backports line (Debian only): the same linux-image-amd64, from <codename>-backports, seen
// through a private apt state (provision.mjs) whose only source is backportsSource()'s line.

export const META = { debian: 'linux-image-amd64', ubuntu: 'linux-image-generic' };

/** 'debian' | 'ubuntu' | null, from os-release's ID, then ID_LIKE (Ubuntu derivatives first). */
export function distroOf(osRelease) {
  const ids = [osField(osRelease, 'ID'), ...osField(osRelease, 'ID_LIKE').split(/\s+/)];
  return ids.find((id) => id === 'ubuntu' || id === 'debian') ?? null;
}

/** The field `key` of /etc/os-release's text ('' when absent). */
export function osField(osRelease, key) {
  return new RegExp(`^${key}=("?)([^"\\n]*)\\1$`, 'm').exec(osRelease)?.[2] ?? '';
}

/** Debian's backports archive, the one mirror every Debian release has. */
export const BACKPORTS_MIRROR = 'http://deb.debian.org/debian';

/**
 * The apt sources line of the running Debian release's backports suite (VERSION_CODENAME +
 * '-backports', never a fixed name), e.g. `deb http://deb.debian.org/debian bookworm-backports main`.
 */
export function backportsSource(osRelease) {
  // Debian itself: a derivative's codename (ID_LIKE=debian) names no suite on Debian's mirror.
  const id = osField(osRelease, 'ID');
  if (id !== 'debian') throw new Error(`the backports kernel line is Debian's (<codename>-backports); this is ${id || 'an unknown distribution'}`);
  const codename = osField(osRelease, 'VERSION_CODENAME');
  if (!/^[a-z][a-z0-9-]*$/.test(codename)) throw new Error(`/etc/os-release names no VERSION_CODENAME (${JSON.stringify(codename)}): cannot name the backports suite`);
  return `deb ${BACKPORTS_MIRROR} ${codename}-backports main`;
}

/** The package names on "Depends:" lines of `apt-cache depends` ("|Depends:" alternatives too). */
export function dependsOf(text) {
  return [...text.matchAll(/^\s*\|?Depends:\s*<?([^\s>]+)>?/gm)].map((m) => m[1]);
}

/** The first stanza's field `name` in `apt-cache show` output, or undefined. */
export function showField(text, name) {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/**
 * @param {string} distro 'debian' | 'ubuntu'
 * @param {{ depends: (pkg: string) => string | null, show: (pkg: string) => string | null }} apt
 *   each query answers the command's output, or null when apt knows no such package
 * @returns {{ meta: string, version: string, packageVersion: string, packages: string[] }}
 *   version is the kernel release (`uname -r` in the guest, the cache key)
 */
export function resolveKernel(distro, apt) {
  const meta = META[distro];
  if (!meta) throw new Error(`no stock kernel known for distribution ${JSON.stringify(distro)}: Debian (${META.debian}) and Ubuntu (${META.ubuntu}) are supported`);
  const deps = apt.depends(meta);
  if (deps === null) throw new Error(`apt knows no package ${meta}: run 'apt-get update' as root (its lists may be missing), then retry`);
  const suffix = distro === 'debian' ? '-amd64' : '-generic';
  const image = dependsOf(deps).find((p) => p.startsWith('linux-image-') && p.endsWith(suffix) && /^linux-image-\d/.test(p));
  if (!image) throw new Error(`${meta} depends on no linux-image-<version>${suffix} package (apt-cache depends ${meta} answered: ${deps.trim().split('\n').join('; ')})`);
  const version = image.slice('linux-image-'.length);
  const shown = apt.show(image);
  if (shown === null) throw new Error(`apt cannot show ${image} (named by ${meta}): run 'apt-get update' as root`);
  const packages = [image];
  const modules = `linux-modules-${version}`;
  const extra = `linux-modules-extra-${version}`;
  if (distro === 'ubuntu') {
    if (apt.show(modules) === null) throw new Error(`${image} needs ${modules}, which apt cannot find: run 'apt-get update' as root`);
    packages.push(modules);
    if (apt.show(extra) !== null) packages.push(extra);
  }
  return { meta, version, packageVersion: showField(shown, 'Version') ?? '?', packages };
}
