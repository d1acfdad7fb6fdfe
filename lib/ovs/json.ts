/**
 * The JSON-RPC stream of an OVSDB connection: JSON values back to back with no delimiter (RFC
 * 7047 section 4), split incrementally as bytes arrive, UTF-8 decoded across chunk edges, and
 * integers beyond 2^53 kept exact (as bigint: OVSDB integers are 64-bit, and statistics counters
 * pass 2^53).
 * @internal
 */
import { StringDecoder } from 'node:string_decoder';

/** A parsed JSON value, with integers beyond Number.MAX_SAFE_INTEGER as bigint. */
export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

/** One message may be this large at most (a `show` of 10,000 ports is a few MB). */
export const MAX_MESSAGE = 256 << 20;

/**
 * Splits a character stream into whole top-level JSON texts: keeps the scan position and the
 * state (depth, inside a string, after a backslash) between chunks, so a chunk is scanned once.
 */
export class JsonSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Digits in a row outside strings, and whether a message so far had a run of 16 or more. */
  private digits = 0;
  private long = false;

  /** Feeds bytes; returns the texts completed by them (and whether each has long integers). */
  push(chunk: Buffer): { text: string; longIntegers: boolean }[] {
    this.buf += this.decoder.write(chunk);
    const out: { text: string; longIntegers: boolean }[] = [];
    const s = this.buf;
    for (let i = this.pos; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c >= 0x30 && c <= 0x39 && this.depth > 0) {
        if (++this.digits >= 16) this.long = true;
        continue;
      }
      this.digits = 0;
      if (c === 0x22) {
        this.inString = true;
        if (this.start < 0) throw new SyntaxError('a JSON-RPC message must be an object, not a string');
      } else if (c === 0x7b || c === 0x5b) {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) throw new SyntaxError(`unbalanced '${String.fromCharCode(c)}' between JSON-RPC messages`);
        if (--this.depth === 0) {
          out.push({ text: s.slice(this.start, i + 1), longIntegers: this.long });
          this.start = -1;
          this.long = false;
        }
      } else if (this.depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        throw new SyntaxError(`unexpected '${String.fromCharCode(c)}' between JSON-RPC messages`);
      }
    }
    // Keep only the message under way.
    if (this.start < 0) {
      this.buf = '';
      this.pos = 0;
    } else {
      this.buf = s.slice(this.start);
      this.pos = this.buf.length;
      this.start = 0;
      if (this.buf.length > MAX_MESSAGE) throw new RangeError(`a JSON-RPC message over ${MAX_MESSAGE} bytes`);
    }
    return out;
  }
}

/**
 * Parses one JSON text; with `longIntegers`, integers of 16 digits or more that a double cannot
 * hold exactly become bigint (each is quoted with a marker first, and the marker turned back).
 */
export function parseJson(text: string, longIntegers: boolean): Json {
  if (!longIntegers) return JSON.parse(text) as Json;
  const big: string[] = [];
  const marker = '\u0000n';
  let out = '';
  let last = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    const neg = c === 0x2d;
    if (!neg && (c < 0x30 || c > 0x39)) continue;
    // The whole number token (sign, digits, fraction, exponent): only an integer may become bigint.
    let j = i + 1;
    while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
    const literal = text.slice(i, j);
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
      out += `${text.slice(last, i)}"\\u0000n${big.length}"`;
      big.push(literal);
      last = j;
    }
    i = j - 1;
  }
  out += text.slice(last);
  const markers = new Set(big.map((_, n) => `${marker}${n}`));
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.charCodeAt(0) === 0 && markers.has(value) ? BigInt(big[Number(value.slice(marker.length))]!) : value,
  ) as Json;
}

/** Serializes a value, bigints as JSON integers. */
export function stringifyJson(value: unknown): string {
  const big: bigint[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    big.push(v);
    return `\u0000b${big.length - 1}\u0000`;
  });
  return big.length === 0 ? text : text.replace(/"\\u0000b(\d+)\\u0000"/g, (_m, n: string) => big[Number(n)]!.toString());
}
