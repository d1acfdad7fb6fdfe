// This process's open file descriptors, for the fd-leak checks of tests and soak scripts.
import { readdirSync, readlinkSync } from 'node:fs';

/** Open file descriptors of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

/** What each open fd points to (for a useful message when counts differ). */
export function fdMap() {
  const out = {};
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out[fd] = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // the directory's own fd, gone by now
    }
  }
  return out;
}
