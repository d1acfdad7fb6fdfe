// The kernel-matrix suite: every test/kernel file, loaded into one Node process (guest.sh runs it
// directly, without --test: starting Node under TCG costs seconds per process).
import './links.kernel.mjs';
import './tunnels.kernel.mjs';
import './nat.kernel.mjs';
