// Which packages hold the stock kernel (scripts/kernel-vm/resolve.mjs), on canned apt-cache
// outputs from Debian 12 and Ubuntu 22.04/24.04, and the backports line's apt sources line and
// private apt state (provision.mjs's privateApt, built without I/O). No privileges, no I/O.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_APT, privateApt } from '../../scripts/kernel-vm/provision.mjs';
import { backportsSource, dependsOf, distroOf, osField, resolveKernel } from '../../scripts/kernel-vm/resolve.mjs';

const fake = (depends, show) => ({ depends: (p) => depends[p] ?? null, show: (p) => show[p] ?? null });

const DEBIAN_DEPENDS = `linux-image-amd64
  Depends: linux-image-6.1.0-57-amd64
`;
const DEBIAN_SHOW = `Package: linux-image-6.1.0-57-amd64
Source: linux-signed-amd64 (6.1.192+3)
Version: 6.1.192-3
Installed-Size: 398562
Maintainer: Debian Kernel Team <debian-kernel@lists.debian.org>
Architecture: amd64
Provides: linux-image, wireguard-modules (= 1.0.0)
Depends: kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool
Recommends: firmware-linux-free, apparmor
Description-en: Linux 6.1 for 64-bit PCs (signed)

Package: linux-image-6.1.0-57-amd64
Version: 6.1.192-2
`;

const NOBLE_DEPENDS = `linux-image-generic
  Depends: linux-image-6.8.0-45-generic
  Depends: linux-firmware
  Depends: intel-microcode
 |Depends: amd64-microcode
  Recommends: thermald
`;
const JAMMY_DEPENDS = `linux-image-generic
  Depends: linux-image-5.15.0-122-generic
  Depends: linux-modules-extra-5.15.0-122-generic
  Depends: linux-firmware
  Depends: intel-microcode
  Depends: amd64-microcode
  Recommends: thermald
`;
const ubuntuShow = (ver, pkgVer) => `Package: linux-image-${ver}
Architecture: amd64
Version: ${pkgVer}
Source: linux-signed
Depends: linux-modules-${ver}
Recommends: grub-pc | grub-efi-amd64 | grub-efi-ia32 | grub | lilo, initramfs-tools | linux-initramfs-tool
Conflicts: linux-image-unsigned-${ver}
`;

test('os-release: Debian, Ubuntu and derivatives by ID_LIKE', () => {
  assert.equal(distroOf('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'), 'debian');
  assert.equal(distroOf('NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'), 'ubuntu');
  assert.equal(distroOf('NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n'), 'ubuntu');
  assert.equal(distroOf('NAME="Fedora Linux"\nID=fedora\n'), null);
});

test('Debian: linux-image-amd64 → the versioned image package, which holds the modules', () => {
  const k = resolveKernel('debian', fake({ 'linux-image-amd64': DEBIAN_DEPENDS }, { 'linux-image-6.1.0-57-amd64': DEBIAN_SHOW }));
  assert.deepEqual(k, { meta: 'linux-image-amd64', version: '6.1.0-57-amd64', packageVersion: '6.1.192-3', packages: ['linux-image-6.1.0-57-amd64'] });
});

test('Ubuntu 24.04: image, modules and modules-extra packages', () => {
  const v = '6.8.0-45-generic';
  const k = resolveKernel('ubuntu', fake(
    { 'linux-image-generic': NOBLE_DEPENDS },
    { [`linux-image-${v}`]: ubuntuShow(v, '6.8.0-45.45'), [`linux-modules-${v}`]: 'Package: x\n', [`linux-modules-extra-${v}`]: 'Package: y\n' },
  ));
  assert.deepEqual(k, {
    meta: 'linux-image-generic', version: v, packageVersion: '6.8.0-45.45',
    packages: [`linux-image-${v}`, `linux-modules-${v}`, `linux-modules-extra-${v}`],
  });
});

test('Ubuntu 22.04: the image is picked among other linux-* dependencies; no extra package is fine', () => {
  const v = '5.15.0-122-generic';
  assert.deepEqual(dependsOf(JAMMY_DEPENDS).slice(0, 2), [`linux-image-${v}`, `linux-modules-extra-${v}`]);
  const k = resolveKernel('ubuntu', fake({ 'linux-image-generic': JAMMY_DEPENDS }, { [`linux-image-${v}`]: ubuntuShow(v, '5.15.0-122.132'), [`linux-modules-${v}`]: 'Package: x\n' }));
  assert.deepEqual(k.packages, [`linux-image-${v}`, `linux-modules-${v}`]);
  assert.equal(k.version, v);
});

test('failures say what to run or install', () => {
  assert.throws(() => resolveKernel('debian', fake({}, {})), { message: "apt knows no package linux-image-amd64: run 'apt-get update' as root (its lists may be missing), then retry" });
  assert.throws(() => resolveKernel('ubuntu', fake({ 'linux-image-generic': 'linux-image-generic\n  Depends: linux-firmware\n' }, {})), { message: /linux-image-generic depends on no linux-image-<version>-generic package/ });
  const v = '6.8.0-45-generic';
  assert.throws(() => resolveKernel('ubuntu', fake({ 'linux-image-generic': NOBLE_DEPENDS }, { [`linux-image-${v}`]: ubuntuShow(v, '1') })), { message: new RegExp(`needs linux-modules-${v}, which apt cannot find`) });
  assert.throws(() => resolveKernel(null, fake({}, {})), { message: /Debian \(linux-image-amd64\) and Ubuntu \(linux-image-generic\) are supported/ });
});

const BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';

test('backports: the suite is the running release codename + -backports, on Debian only', () => {
  assert.equal(osField(BOOKWORM, 'VERSION_CODENAME'), 'bookworm');
  assert.equal(osField(BOOKWORM, 'VERSION'), '12 (bookworm)');
  assert.equal(osField(BOOKWORM, 'BUILD_ID'), '');
  assert.equal(backportsSource(BOOKWORM), 'deb http://deb.debian.org/debian bookworm-backports main');
  assert.equal(backportsSource(BOOKWORM.replaceAll('bookworm', 'trixie')), 'deb http://deb.debian.org/debian trixie-backports main');
  assert.throws(() => backportsSource('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=noble\n'), { message: /backports kernel line is Debian's .*this is ubuntu/ });
  assert.throws(() => backportsSource('ID=kali\nID_LIKE=debian\nVERSION_CODENAME=kali-rolling\n'), { message: /this is kali/ });
  assert.throws(() => backportsSource('ID=debian\nVERSION_ID="13"\n'), { message: /names no VERSION_CODENAME/ });
});

test('backports: the private apt state sees only its sources line, in its own folders', () => {
  const source = backportsSource(BOOKWORM);
  const s = privateApt('/c/.apt-backports', source);
  assert.deepEqual(s.options, [
    '-o', 'Dir::Etc::sourcelist=/c/.apt-backports/sources.list', '-o', 'Dir::Etc::sourceparts=/dev/null',
    '-o', 'Dir::State::Lists=/c/.apt-backports/lists', '-o', 'Dir::Cache=/c/.apt-backports/cache',
  ]);
  assert.equal(s.lists, '/c/.apt-backports/lists');
  assert.equal(s.name, 'the private bookworm-backports');
  assert.equal(s.missing, "the private apt lists for 'deb http://deb.debian.org/debian bookworm-backports main' (/c/.apt-backports/lists) are missing or outdated, and only root may fetch them");
  assert.deepEqual(HOST_APT.options, []);
  assert.equal(HOST_APT.outdated(), false);
});
