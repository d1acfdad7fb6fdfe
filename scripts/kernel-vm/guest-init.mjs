// The initramfs's /init (busybox sh), as text. It prints a marker (markers.mjs) at each boot
// stage, insmods the boot modules in the given order and stops the boot at the first failure
// with the module's name, the kernel's reason (busybox insmod prints it) and the tail of dmesg.
import { MARK } from './markers.mjs';

const HEARTBEAT_S = 10;

/**
 * @param {{ boot: string[], guestModules: string, project: string }} o
 *   boot: module names to insmod from /modules, in order; guestModules: the guest kernel's
 *   lib/modules folder (host path); project: the project root (host path)
 */
export function guestInit({ boot, guestModules, project }) {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "${MARK.stage} kernel-up $(uname -r)"
# A heartbeat, so the host can tell a live guest from a hung one while the tests run.
( while sleep ${HEARTBEAT_S}; do echo "${MARK.heartbeat}"; done ) &
# Stops the boot after a failure: the kernel's log (its lines about $1, if given) goes to the host.
stop() { dmesg | grep -F -- "\${1:-]}" | tail -n 8 | sed 's/^/${MARK.dmesg} /'; poweroff -f; sleep 60; }
load() {
  out=$(insmod "/modules/$1.ko" 2>&1) && return
  echo "${MARK.insmodFail} $1: \${out##*: }"
  stop "$1:"
}
${boot.map((m) => `load ${m}`).join('\n')}
echo "${MARK.stage} modules-loaded ${boot.length}"
out=$(mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro hostroot /host 2>&1) || { echo "${MARK.fail} mount 9p: \${out##*: }"; stop; }
echo "${MARK.stage} 9p-mounted"
# The guest kernel's own modules (from the cache, over 9p), loaded with busybox's modprobe.
mount --bind /host${guestModules} /lib/modules
for m in $(echo "$netdev_modules" | tr , " "); do modprobe $m || echo "modprobe $m failed"; done
for fs in proc sys dev; do mount --bind /$fs /host/$fs; done
# Writable /run and /tmp for the guest; the project may itself live under /tmp (a CI clone):
# keep it reachable at the same path.
mkdir -p /project; mount --bind /host${project} /project
mount -t tmpfs tmpfs /host/run; mount -t tmpfs tmpfs /host/tmp
mkdir -p /host${project} 2>/dev/null; mount --bind /project /host${project}
echo "${MARK.stage} tests-started $(uname -r)"
chroot /host /bin/sh -c "cd ${project} && exec /bin/sh $netdev_script"
echo "${MARK.exit} $?"
poweroff -f
`;
}
