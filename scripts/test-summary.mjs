// The closing lines of `npm test` (scripts/test-all.mjs), from each tier's parsed output: one
// line per tier saying whether it failed and why, then the combined "N passed, N failed,
// N skipped" line that CI parses. A tier that failed without a failed test (it ran nothing, or
// its runner failed) counts as one failure, so the total never reads as a pass.

/**
 * @typedef {{ code: number, seen: boolean, passed: number, failed: number, skipped: number,
 *   reason?: string, warnings?: string[] }} Tier
 *   seen: the tier printed its test counts; reason: why its runner says it failed
 */

export function tierFailed(t) {
  return t.code !== 0 || !t.seen;
}

/** Lines describing one tier. */
export function tierLines(name, t) {
  const counts = `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
  const why = t.reason ?? `exit ${t.code}, no test summary`;
  let line;
  if (!t.seen) line = `${name}: FAILED before running tests: ${why}`;
  else if (tierFailed(t)) line = `${name}: FAILED: ${counts}${t.reason ? `: ${t.reason}` : ` (exit ${t.code})`}`;
  else line = `${name}: ${counts}`;
  return [line, ...(t.warnings ?? []).map((w) => `${name}: WARNING: ${w}`)];
}

/** The combined closing line. */
export function totalLine(tiers) {
  const sum = (k) => tiers.reduce((n, t) => n + t[k], 0);
  const failed = sum('failed') + tiers.filter((t) => tierFailed(t) && t.failed === 0).length;
  return `${sum('passed')} passed, ${failed} failed, ${sum('skipped')} skipped`;
}
