#!/bin/sh
# Runs inside the kernel-matrix VM (scripts/kernel-vm.mjs), chrooted into the host's root, as root
# of a fresh machine with no network card. Runs the kernel line's suite ($netdev_suite, from the
# kernel command line: test/kernel/suite.mjs or suite-backports.mjs) and prints its closing lines.
suite=${netdev_suite:-test/kernel/suite.mjs}
echo "guest: kernel $(uname -r), node $(node --version), suite $suite"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NO_COLOR=1 FORCE_COLOR=0
exec node --test-reporter=spec "$suite"
