/**
 * IP addresses as the bytes nf_tables compares (network order), and back; prefixes as masks.
 * @internal
 */

/** The 4 or 16 bytes of a valid IPv4 or IPv6 literal (validated before). */
export function ipBytes(address: string): Buffer {
  if (!address.includes(':')) {
    const out = Buffer.allocUnsafe(4);
    writeIp(out, 0, address, 4);
    return out;
  }
  const out = Buffer.allocUnsafe(16).fill(0); // from the pool: a rule set holds thousands
  let s = address;
  let tail: number[] = [];
  const v4 = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail = s.slice(v4 + 1).split('.').map(Number);
    s = `${s.slice(0, v4 + 1)}0:0`;
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const words = (x: string | undefined): number[] => (x ? x.split(':').filter((w) => w !== '').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const r = rest === undefined ? [] : words(rest);
  const all = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  if (tail.length) out.set(tail, 12);
  return out;
}

/** Writes the first `len` bytes of a valid IP literal at `at` (no buffer made for a dotted quad). */
export function writeIp(out: Buffer, at: number, address: string, len: number): void {
  if (address.includes(':')) {
    ipBytes(address).copy(out, at, 0, len);
    return;
  }
  // A dotted quad, parsed by hand: a rule set holds thousands.
  let byte = 0;
  let n = 0;
  for (let i = 0; i < address.length && byte < len; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      out[at + byte++] = n;
      n = 0;
    } else n = n * 10 + c - 48;
  }
  if (byte < len) out[at + byte] = n;
}

/** The literal of 4 or 16 bytes (IPv6 in its RFC 5952 form). */
export function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const w = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/** The mask of a prefix length over `bytes` bytes. */
export function prefixMask(prefixLength: number, bytes: number): Buffer {
  const m = Buffer.allocUnsafe(bytes).fill(0);
  for (let i = 0; i < bytes; i++) {
    const bits = Math.max(0, Math.min(8, prefixLength - i * 8));
    m[i] = (0xff << (8 - bits)) & 0xff;
  }
  return m;
}

/** The prefix length of a mask, or undefined when its ones are not contiguous. */
export function maskLength(m: Buffer): number | undefined {
  let n = 0;
  let zero = false;
  for (const byte of m)
    for (let bit = 7; bit >= 0; bit--) {
      if (byte & (1 << bit)) {
        if (zero) return undefined;
        n++;
      } else zero = true;
    }
  return n;
}

/** address with the bits past the prefix cleared (the network a prefix names). */
export function network(address: Buffer, prefixLength: number): Buffer {
  const m = prefixMask(prefixLength, address.length);
  const out = Buffer.allocUnsafe(address.length);
  for (let i = 0; i < address.length; i++) out[i] = address[i]! & m[i]!;
  return out;
}
