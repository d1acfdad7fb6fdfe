#!/bin/sh
# Runs inside the kernel-matrix VM (scripts/kernel-vm.mjs), chrooted into the host's root, as root
# of a fresh machine with no network card. Prints the suite's own closing lines.
echo "guest: kernel $(uname -r), node $(node --version)"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NO_COLOR=1 FORCE_COLOR=0
exec node --test-reporter=spec test/kernel/suite.mjs
