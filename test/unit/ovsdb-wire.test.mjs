// The OVSDB wire layer (lib/ovs/json.ts, rpc.ts, ovsdb.ts): the splitter that cuts the
// delimiter-less JSON stream into messages whatever the chunking, the parser that keeps 64-bit
// integers exact, JSON-RPC request/response matching, the server's echo and notifications, and
// every way a request ends (answer, refusal, timeout, abort, connection loss, garbage); then the
// OVSDB client's connect, transact and reconnect, against a fake ovsdb-server on a unix socket in
// a private temporary directory. No root, no real OVS.
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { after, test } from 'node:test';

const require = createRequire(import.meta.url);
const { JsonSplitter, parseJson, stringifyJson } = require('../../dist/cjs/ovs/json.js');
const { JsonRpc } = require('../../dist/cjs/ovs/rpc.js');
const { OvsdbClient } = require('../../dist/cjs/ovs/ovsdb.js');
const { OvsError } = require('../../dist/cjs/ovs/errors.js');
const { numberMapOf } = require('../../dist/cjs/ovs/datum.js');

// A broken client may never answer: fail the test then, rather than hang the file.
const bounded = { timeout: 5000 };

const dir = mkdtempSync(join(tmpdir(), 'netdev-ovsdb-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let sockets = 0;
const socketPath = () => join(dir, `db${++sockets}.sock`);

// ---------------------------------------------------------------------------------------------
// Helpers: a seeded PRNG, bounded waits, and the fake ovsdb-server.

/** mulberry32: the same chunkings on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rejects when `promise` has not settled within `ms` (a hang becomes a failure, not a timeout). */
function within(promise, ms, what) {
  let timer;
  const expired = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolves true if `emitter` emits `event` within `ms`, false if the time runs out first. */
function emitsWithin(emitter, event, ms) {
  return new Promise((resolve) => {
    const onEvent = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      resolve(false);
    }, ms);
    emitter.once(event, onEvent);
  });
}

/** Feeds `chunks` to a fresh splitter; returns every text it completed, in order. */
function splitAll(chunks) {
  const s = new JsonSplitter();
  const out = [];
  for (const c of chunks) out.push(...s.push(c));
  return out;
}

/** Cuts `buf` at the given offsets. */
function cut(buf, offsets) {
  const out = [];
  let last = 0;
  for (const o of offsets) {
    out.push(buf.subarray(last, o));
    last = o;
  }
  out.push(buf.subarray(last));
  return out;
}

/**
 * The fake server's own splitter of what the client sends: deliberately independent of the
 * library's, so a splitter bug cannot hide itself. Keeps each message's raw text.
 */
function serverSplitter() {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  return (chunk) => {
    buf += decoder.write(chunk);
    const out = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) {
        out.push(buf.slice(start, i + 1).trim());
        start = i + 1;
      }
    }
    buf = buf.slice(start);
    return out;
  };
}

/** One client connection as the fake server sees it: `message` events, and a queue for next(). */
class FakeConn extends EventEmitter {
  constructor(sock) {
    super();
    this.sock = sock;
    this.all = [];
    this.queue = [];
    this.waiters = [];
    this.closed = false;
    const split = serverSplitter();
    sock.on('data', (chunk) => {
      for (const text of split(chunk)) {
        const msg = { text, json: JSON.parse(text) };
        this.all.push(msg);
        const w = this.waiters.shift();
        if (w) w(msg);
        else this.queue.push(msg);
        this.emit('message', msg.json, msg.text);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
  }

  /** The next message the client sends (within `ms`). */
  next(ms = 2000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return within(new Promise((resolve) => this.waiters.push(resolve)), ms, 'the fake server waiting for a message');
  }

  send(value) {
    this.sock.write(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }

  /** Resolves once the client's side is gone (within `ms`). */
  ended(ms = 2000) {
    return this.closed ? Promise.resolve() : within(once(this, 'close'), ms, 'the fake server waiting for the connection to end');
  }
}

/** A fake ovsdb-server listening on a fresh unix socket: `connection` events with FakeConns. */
class FakeServer extends EventEmitter {
  constructor(path = socketPath()) {
    super();
    this.path = path;
    this.conns = [];
    this.server = undefined;
  }

  async listen() {
    this.server = net.createServer((sock) => {
      const c = new FakeConn(sock);
      this.conns.push(c);
      this.emit('connection', c);
    });
    const s = this.server;
    await new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(this.path, resolve);
    });
    return this;
  }

  /** The `n`th connection (from 1), waiting for it within `ms`. */
  async connection(n, ms = 2000) {
    while (this.conns.length < n) await within(once(this, 'connection'), ms, `the fake server waiting for connection ${n}`);
    return this.conns[n - 1];
  }

  /** Drops every connection and stops listening (the socket file goes too). */
  async stop() {
    for (const c of this.conns) c.sock.destroy();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise((resolve) => s.close(() => resolve()));
  }
}

/** A fake server and a JsonRpc connected to it. */
async function rpcPair(t) {
  const server = await new FakeServer().listen();
  const sock = net.createConnection(server.path);
  const [conn] = await Promise.all([server.connection(1), within(once(sock, 'connect'), 2000, 'connect')]);
  const rpc = new JsonRpc(sock, server.path);
  // Bytes the client socket has read so far: to write the next piece only once the last one arrived.
  let received = 0;
  sock.on('data', (chunk) => { received += chunk.length; });
  const receivedAtLeast = async (n) => {
    while (received < n) await within(once(sock, 'data'), 2000, `the client waiting for byte ${n}`);
  };
  t.after(async () => {
    rpc.close();
    await server.stop();
  });
  return { server, conn, sock, rpc, receivedAtLeast };
}

/** A settled-or-not flag on a promise (the promise's own outcome is left to the caller). */
function track(promise) {
  const state = { settled: false };
  promise.then(() => { state.settled = true; }, () => { state.settled = true; });
  return state;
}

/** assert.rejects's matcher for an OvsError with these fields. */
function ovsError(fields) {
  return (e) => {
    assert.ok(e instanceof OvsError, `an OvsError, not ${e}`);
    for (const [k, v] of Object.entries(fields)) {
      if (v instanceof RegExp) assert.match(e[k], v, `${k} of ${e.message}`);
      else assert.equal(e[k], v, `${k} of ${e.message}`);
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// 1. JsonSplitter

// A stream that has everything the splitter must not trip on: nesting, whitespace between
// messages, multi-byte UTF-8 (2-, 3- and 4-byte sequences), braces and brackets inside strings,
// escaped quotes, escaped backslashes right before a closing quote, a top-level array, long
// integers and digits inside strings.
const MESSAGES = [
  '{"id":1,"result":[{"rows":[{"name":"br0","ofport":1}]}],"error":null}',
  '{"method":"update","params":["mon",{"Interface":{"a":{"new":{"name":"ünïcødé😀","note":"€ and 中文"}}}}],"id":null}',
  '{"s":"}]{[ not structure ][}{","t":"a \\"quoted\\" } word","u":"ends in a backslash \\\\","v":"\\\\\\"]"}',
  '[1,2,{"x":[]}]',
  '{"stats":{"rx_bytes":18446744073709551615,"tx":-9223372036854775808,"small":42}}',
  '{"id":"12345678901234567890","digits":"9007199254740993","k":[]}',
  '{"empty":{},"nested":[[[[]]]],"esc":"\\u00fc\\n\\t\\/"}',
];
// Whether each has a run of 16+ digits outside strings (the splitter's `longIntegers` flag).
const LONG = [false, false, false, false, true, false, false];
const SEPARATORS = ['', '\n', ' \r\n\t ', '', '\n\n', ' ', '\t'];
const STREAM = Buffer.from(MESSAGES.map((m, i) => SEPARATORS[i] + m).join('') + '\n');

test('JsonSplitter: the test stream itself is what the test means (each message valid JSON, separators only whitespace)', () => {
  for (const m of MESSAGES) JSON.parse(m);
  let rest = STREAM.toString();
  for (const m of MESSAGES) {
    const at = rest.indexOf(m);
    assert.match(rest.slice(0, at), /^\s*$/, 'only whitespace between messages');
    rest = rest.slice(at + m.length);
  }
  assert.match(rest, /^\s*$/);
  assert.notEqual(STREAM.length, STREAM.toString().length, 'the stream has multi-byte characters');
});

test('JsonSplitter: the stream in one chunk gives each message text exactly, with its long-integer flag', () => {
  const out = splitAll([STREAM]);
  assert.deepEqual(out.map((o) => o.text), MESSAGES);
  assert.deepEqual(out.map((o) => o.longIntegers), LONG);
});

test('JsonSplitter: fed one byte at a time (a split at every byte boundary at once), the same texts and flags', () => {
  const out = splitAll([...STREAM].map((b) => Buffer.from([b])));
  assert.deepEqual(out.map((o) => o.text), MESSAGES);
  assert.deepEqual(out.map((o) => o.longIntegers), LONG);
});

test('JsonSplitter: split in two at every byte boundary, the same texts', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    const out = splitAll(cut(STREAM, [i]));
    assert.deepEqual(out.map((o) => o.text), MESSAGES, `split at byte ${i}`);
    assert.deepEqual(out.map((o) => o.longIntegers), LONG, `split at byte ${i}`);
  }
});

test('JsonSplitter: 500 random chunkings (seeded) give the same texts, each returned by the chunk that completes it', () => {
  const rand = prng(0x5eed);
  // Where each message ends in the byte stream: the chunk holding that byte must return it.
  const ends = [];
  let text = '';
  MESSAGES.forEach((m, i) => {
    text += SEPARATORS[i] + m;
    ends.push(Buffer.byteLength(text) - 1);
  });
  for (let round = 0; round < 500; round++) {
    const offsets = [];
    for (let o = 0; ; ) {
      o += 1 + Math.floor(rand() * (round % 2 ? 8 : 64));
      if (o >= STREAM.length) break;
      offsets.push(o);
    }
    const s = new JsonSplitter();
    const texts = [];
    let at = 0;
    for (const chunk of cut(STREAM, offsets)) {
      const got = s.push(chunk);
      const expected = ends.filter((e) => e >= at && e < at + chunk.length).length;
      assert.equal(got.length, expected, `round ${round}: chunk at ${at} completes ${expected} messages`);
      texts.push(...got.map((o) => o.text));
      at += chunk.length;
    }
    assert.deepEqual(texts, MESSAGES, `round ${round}, cut at ${offsets.join(',')}`);
  }
});

test('JsonSplitter: a multi-byte character split inside its own bytes decodes right', () => {
  const word = 'ünïcødé😀';
  const msg = Buffer.from(JSON.stringify({ name: word }));
  const emoji = msg.indexOf(Buffer.from('😀'));
  const u = msg.indexOf(Buffer.from('ü'));
  // Inside the 2-byte ü, and after each of the first three bytes of the 4-byte emoji.
  for (const offsets of [[u + 1], [emoji + 1], [emoji + 2], [emoji + 3], [emoji + 1, emoji + 2, emoji + 3], [u + 1, emoji + 2]]) {
    const out = splitAll(cut(msg, offsets));
    assert.equal(out.length, 1);
    assert.equal(JSON.parse(out[0].text).name, word, `cut at ${offsets}`);
  }
});

test('JsonSplitter: braces, brackets, escaped quotes and backslashes inside strings are not structure', () => {
  const tricky = [
    '{"a":"{"}',
    '{"a":"}"}',
    '{"a":"]]]]"}',
    '{"a":"\\""}',
    '{"a":"\\\\"}',
    '{"a":"\\\\\\""}',
    '{"a":"x\\\\","b":"}"}',
    '{"\\"}":"{\\"["}',
  ];
  for (const m of tricky) JSON.parse(m);
  const stream = Buffer.from(tricky.join(''));
  for (const chunks of [[stream], [...stream].map((b) => Buffer.from([b]))]) {
    assert.deepEqual(splitAll(chunks).map((o) => o.text), tricky);
  }
});

test('JsonSplitter: garbage between messages throws SyntaxError, also when it comes in a later chunk', () => {
  assert.throws(() => splitAll([Buffer.from('{"a":1} x {"b":2}')]), SyntaxError);
  assert.throws(() => splitAll([Buffer.from('hello')]), SyntaxError);
  assert.throws(() => splitAll([Buffer.from('{"a":1}]')]), SyntaxError, 'an unbalanced closer');
  assert.throws(() => splitAll([Buffer.from('}')]), SyntaxError);
  assert.throws(() => splitAll([Buffer.from('{"a":1}'), Buffer.from('42')]), SyntaxError, 'a bare number at the top');
  assert.throws(() => splitAll([Buffer.from('true')]), SyntaxError, 'a bare literal at the top');
  // Only the messages before the garbage come out when the garbage is in the next chunk.
  const s = new JsonSplitter();
  assert.deepEqual(s.push(Buffer.from('{"a":1}\n')).map((o) => o.text), ['{"a":1}']);
  assert.throws(() => s.push(Buffer.from('nope')), SyntaxError);
});

test('JsonSplitter: a top-level string throws (a JSON-RPC message is an object)', () => {
  assert.throws(() => splitAll([Buffer.from('"hello"')]), { name: 'SyntaxError', message: /not a string/ });
  assert.throws(() => splitAll([Buffer.from('{"a":1}  "x"')]), SyntaxError);
  assert.throws(() => splitAll([Buffer.from('{"a":1}'), Buffer.from('"')]), SyntaxError);
});

test('JsonSplitter: the long-integer flag is per message, counts digits across chunks, ignores digits in strings', () => {
  const s = new JsonSplitter();
  // 16 digits split 10 + 6 across two chunks: long.
  assert.deepEqual(s.push(Buffer.from('{"n":1234567890')), []);
  assert.deepEqual(s.push(Buffer.from('123456}{"n":1}')), [
    { text: '{"n":1234567890123456}', longIntegers: true },
    { text: '{"n":1}', longIntegers: false },
  ]);
  // 15 digits, then digits in a string, then 15 more after a comma: never 16 in a row.
  assert.deepEqual(s.push(Buffer.from('{"a":123456789012345,"b":"12345678901234567890","c":[123456789012345,1]}')), [
    { text: '{"a":123456789012345,"b":"12345678901234567890","c":[123456789012345,1]}', longIntegers: false },
  ]);
});

// ---------------------------------------------------------------------------------------------
// 2. parseJson, stringifyJson

test('parseJson: integers beyond 2^53 come back as exact bigints, safe ones as numbers', () => {
  const text = '[18446744073709551615,-9223372036854775808,9007199254740993,9007199254740992,9007199254740991,-9007199254740991,42,0,-1]';
  assert.deepEqual(parseJson(text, true), [
    18446744073709551615n,
    -9223372036854775808n,
    9007199254740993n,
    9007199254740992n,
    9007199254740991,
    -9007199254740991,
    42,
    0,
    -1,
  ]);
  // The same through objects and nesting.
  assert.deepEqual(parseJson('{"a":{"b":[{"c":18446744073709551615}]},"d":1}', true), { a: { b: [{ c: 18446744073709551615n }] }, d: 1 });
  // Without the flag it is plain JSON.parse (the splitter only sets it when a long run is there).
  assert.deepEqual(parseJson('[1,2.5,"x"]', false), [1, 2.5, 'x']);
});

test('parseJson: floats stay numbers (an integer part or exponent does not make a bigint)', () => {
  const text = '[1.2345678901234567e30,12345678901234567.5,-1.5E+300,1e-7,12345678901234567e2,-0.5]';
  const got = parseJson(text, true);
  assert.deepEqual(got, JSON.parse(text));
  for (const v of got) assert.equal(typeof v, 'number');
});

test('parseJson: a float with 16+ digits after the point (shortest round-trip printing, 0.1 + 0.2) stays a number', () => {
  // Any JSON printer that writes the shortest exact form of a double (JavaScript, Go, Python)
  // prints 0.1 + 0.2 as 0.30000000000000004: 17 digits after the point, so the splitter flags the
  // message as having long integers, and parseJson must still see a fraction, not an integer.
  for (const text of ['[0.30000000000000004]', '{"x":0.12345678901234567}', '[-1.00000000000000002,1]', '[2.0000000000000000001e5]']) {
    assert.equal(splitAll([Buffer.from(text)])[0].longIntegers, true, text);
    assert.deepEqual(parseJson(text, true), JSON.parse(text), text);
  }
});

test('parseJson: digits inside strings (values and keys, after escaped quotes) stay strings', () => {
  // Forced through the long-integer path (the splitter would not flag this: its digits are all in strings).
  const text = '{"12345678901234567890":"12345678901234567890","q":"a\\"18446744073709551615","b":"\\\\","neg":"-9223372036854775808","e":"1e400"}';
  assert.deepEqual(parseJson(text, true), {
    '12345678901234567890': '12345678901234567890',
    q: 'a"18446744073709551615',
    b: '\\',
    neg: '-9223372036854775808',
    e: '1e400',
  });
  // Next to a real long integer, the strings still stay strings.
  assert.deepEqual(parseJson('{"s":"a\\"18446744073709551615","t":"\\\\","n":18446744073709551615}', true), { s: 'a"18446744073709551615', t: '\\', n: 18446744073709551615n });
});

test('parseJson: what the splitter flags parses to the same values as JSON.parse, save the exact integers', () => {
  for (const { text, longIntegers } of splitAll([STREAM])) {
    const got = parseJson(text, longIntegers);
    const plain = JSON.parse(text);
    if (!longIntegers) assert.deepEqual(got, plain);
  }
  const stats = splitAll([STREAM])[4];
  assert.deepEqual(parseJson(stats.text, stats.longIntegers), { stats: { rx_bytes: 18446744073709551615n, tx: -9223372036854775808n, small: 42 } });
  // A statistics map as ovsdb-server sends it keeps its counters exact in the datum helpers.
  const row = parseJson('{"statistics":["map",[["rx_bytes",18446744073709551615],["tx_packets",7]]]}', true);
  assert.deepEqual(numberMapOf(row.statistics), { rx_bytes: 18446744073709551615n, tx_packets: 7 });
});

test('stringifyJson: bigints are bare JSON integers, and the text round-trips through parseJson', () => {
  const value = { a: 18446744073709551615n, b: [-9223372036854775808n, 9007199254740993n], c: 'x', d: 1.5, e: null, f: { g: [true] } };
  const text = stringifyJson(value);
  assert.equal(text, '{"a":18446744073709551615,"b":[-9223372036854775808,9007199254740993],"c":"x","d":1.5,"e":null,"f":{"g":[true]}}');
  assert.deepEqual(parseJson(text, true), value);
  // A small bigint is written as an integer too (and reads back as a number).
  assert.equal(stringifyJson([1n, 'b']), '[1,"b"]');
  // Without bigints it is JSON.stringify, strings with escapes included.
  const plain = { s: 'ünï "q" \\ \n', n: [1, 2.5], u: undefined };
  assert.equal(stringifyJson(plain), JSON.stringify(plain));
});

// ---------------------------------------------------------------------------------------------
// 3. JsonRpc over a fake server

test('JsonRpc: a request is {"method","params","id"} on the wire; responses out of order and coalesced match by id', bounded, async (t) => {
  const { conn, rpc } = await rpcPair(t);
  const p1 = rpc.request('transact', ['Open_vSwitch', { op: 'select', table: 'Bridge', where: [] }]);
  const p2 = rpc.request('list_dbs', []);
  const p3 = rpc.request('get_schema', ['Open_vSwitch']);
  const m1 = await conn.next();
  const m2 = await conn.next();
  const m3 = await conn.next();
  assert.equal(m1.text, '{"method":"transact","params":["Open_vSwitch",{"op":"select","table":"Bridge","where":[]}],"id":1}');
  assert.equal(m2.text, '{"method":"list_dbs","params":[],"id":2}');
  assert.equal(m3.text, '{"method":"get_schema","params":["Open_vSwitch"],"id":3}');
  // All three answers in one write, last first.
  conn.send(
    JSON.stringify({ id: 3, result: { name: 'Open_vSwitch' }, error: null }) +
      JSON.stringify({ id: 1, result: [{ rows: [] }], error: null }) +
      JSON.stringify({ id: 2, result: ['Open_vSwitch', '_Server'], error: null }),
  );
  assert.deepEqual(await p1, [{ rows: [] }]);
  assert.deepEqual(await p2, ['Open_vSwitch', '_Server']);
  assert.deepEqual(await p3, { name: 'Open_vSwitch' });
});

test('JsonRpc: responses split mid-message (and mid-character) complete only when their last byte arrives', bounded, async (t) => {
  const { conn, rpc, receivedAtLeast } = await rpcPair(t);
  const ps = [rpc.request('a', []), rpc.request('b', []), rpc.request('c', [])];
  const states = ps.map(track);
  for (let i = 0; i < 3; i++) await conn.next();
  const wire = Buffer.from(
    JSON.stringify({ id: 2, result: 'two', error: null }) +
      JSON.stringify({ id: 1, result: { big: 'x'.repeat(3000) }, error: null }) +
      JSON.stringify({ id: 3, result: 'ünïcødé😀', error: null }),
  );
  const first = wire.indexOf('{"id":1');
  const emoji = wire.indexOf(Buffer.from('😀'));
  // Pieces: all of id 2 and half of id 1 | the rest of id 1 and id 3 up to inside the emoji | the rest.
  const pieces = cut(wire, [first + 1500, emoji + 2]);
  let sent = 0;
  const seen = [];
  for (const piece of pieces) {
    conn.send(piece);
    sent += piece.length;
    await receivedAtLeast(sent);
    seen.push(states.map((s) => s.settled));
  }
  assert.deepEqual(seen, [
    [false, true, false],
    [true, true, false],
    [true, true, true],
  ]);
  assert.deepEqual(await Promise.all(ps), [{ big: 'x'.repeat(3000) }, 'two', 'ünïcødé😀']);
});

test('JsonRpc: a result with 64-bit counters (past 2^53) resolves with exact bigints and the connection stays up', bounded, async (t) => {
  // Interface statistics pass 2^53 on a busy port: such a reply is ordinary OVSDB traffic.
  const { conn, rpc } = await rpcPair(t);
  const p = rpc.request('transact', ['Open_vSwitch', { op: 'select', table: 'Interface', where: [], columns: ['statistics'] }]);
  const m = await conn.next();
  conn.send(`{"id":${m.json.id},"result":[{"rows":[{"statistics":["map",[["rx_bytes",18446744073709551615],["rx_packets",12]]]}]}],"error":null}`);
  const result = await p;
  assert.deepEqual(numberMapOf(result[0].rows[0].statistics), { rx_bytes: 18446744073709551615n, rx_packets: 12 });
  assert.equal(rpc.closed, false);
});

test('JsonRpc: the server\'s echo is answered with its params; an unknown method with an id gets an error reply', bounded, async (t) => {
  const { conn, rpc } = await rpcPair(t);
  conn.send('{"method":"echo","params":["keepalive",1,{"a":[]}],"id":"x"}');
  assert.equal((await conn.next()).text, '{"id":"x","result":["keepalive",1,{"a":[]}],"error":null}');
  conn.send('{"method":"echo","params":[],"id":7}');
  assert.equal((await conn.next()).text, '{"id":7,"result":[],"error":null}');
  conn.send('{"method":"frobnicate","params":[],"id":"y"}');
  assert.deepEqual((await conn.next()).json, { id: 'y', result: null, error: 'unknown method' });
  // The connection still works afterwards.
  const p = rpc.request('list_dbs', []);
  const m = await conn.next();
  conn.send({ id: m.json.id, result: [], error: null });
  assert.deepEqual(await p, []);
});

test('JsonRpc: a message with id null (or none) and a method is a notification, with its params', bounded, async (t) => {
  const { conn, rpc } = await rpcPair(t);
  const got = [];
  rpc.on('notification', (method, params) => got.push([method, params]));
  const two = new Promise((resolve) => rpc.on('notification', () => got.length === 3 && resolve()));
  conn.send('{"id":null,"method":"update","params":["mon",{"Bridge":{"u1":{"new":{"name":"br0","n":1}}}}]}');
  conn.send('{"method":"locked","params":["lock1"]}');
  conn.send('{"id":null,"method":"update2"}');
  await within(two, 2000, 'three notifications');
  assert.deepEqual(got, [
    ['update', ['mon', { Bridge: { u1: { new: { name: 'br0', n: 1 } } } }]],
    ['locked', ['lock1']],
    ['update2', []],
  ]);
  assert.equal(conn.all.length, 0, 'a notification is not answered');
});

test('JsonRpc: a response with an error rejects with an OvsError ERR_OVSDB_RPC carrying the server\'s text', bounded, async (t) => {
  const { conn, rpc, server } = await rpcPair(t);
  const p1 = rpc.request('get_schema', ['Nope']);
  const p2 = rpc.request('transact', ['Nope']);
  const a1 = assert.rejects(p1, ovsError({ code: 'ERR_OVSDB_RPC', details: 'unknown database', socket: server.path }));
  const a2 = assert.rejects(p2, ovsError({ code: 'ERR_OVSDB_RPC', details: '{"error":"unknown database","details":"Nope"}', socket: server.path }));
  const m1 = await conn.next();
  const m2 = await conn.next();
  conn.send({ id: m1.json.id, result: null, error: 'unknown database' });
  conn.send({ id: m2.json.id, result: null, error: { error: 'unknown database', details: 'Nope' } });
  await a1;
  await a2;
  assert.equal(rpc.closed, false, 'a refusal does not end the connection');
});

test('JsonRpc: the OvsError of a refused request names the request\'s operation, as the timeout and abort errors do', bounded, async (t) => {
  // OvsErrorInit.operation is "what netdev was doing"; every other error of request() uses
  // opts.operation (or the method), so a refusal should too, not the bare JSON-RPC id.
  const { conn, rpc } = await rpcPair(t);
  const p = rpc.request('get_schema', ['Nope'], { operation: 'get schema Nope' });
  const a = assert.rejects(p, ovsError({ code: 'ERR_OVSDB_RPC', operation: 'get schema Nope' }));
  const m = await conn.next();
  conn.send({ id: m.json.id, result: null, error: 'unknown database' });
  await a;
});

test('JsonRpc: a timeout rejects with ETIMEDOUT; the late response is then ignored and the connection goes on', bounded, async (t) => {
  const { conn, rpc, server, receivedAtLeast } = await rpcPair(t);
  const slow = rpc.request('transact', ['db'], { timeout: 50, operation: 'slow transact' });
  const m = await conn.next();
  await assert.rejects(slow, ovsError({ code: 'ETIMEDOUT', operation: 'slow transact', socket: server.path, message: /within 50 ms/ }));
  const next = rpc.request('list_dbs', []);
  const n = await conn.next();
  // The late answer to the timed-out request, then the answer to the live one.
  const late = JSON.stringify({ id: m.json.id, result: 'late', error: null });
  conn.send(late);
  await receivedAtLeast(Buffer.byteLength(late));
  conn.send({ id: n.json.id, result: ['on time'], error: null });
  assert.deepEqual(await next, ['on time']);
  assert.equal(rpc.closed, false);
});

test('JsonRpc: an AbortSignal rejects the request with ABORT_ERR (its reason as cause); an aborted one is not sent', bounded, async (t) => {
  const { conn, rpc } = await rpcPair(t);
  const ac = new AbortController();
  const p = rpc.request('monitor', ['db', 'm', {}], { signal: ac.signal, operation: 'monitor db' });
  const sent = await conn.next();
  const reason = new Error('the caller gave up');
  const a = assert.rejects(p, (e) => {
    ovsError({ code: 'ABORT_ERR', operation: 'monitor db' })(e);
    assert.equal(e.cause, reason);
    return true;
  });
  ac.abort(reason);
  await a;
  // Already aborted: rejects at once, nothing goes out; the next request is the next message seen.
  await assert.rejects(rpc.request('x', [], { signal: ac.signal }), ovsError({ code: 'ABORT_ERR' }));
  const p2 = rpc.request('list_dbs', []);
  const m2 = await conn.next();
  assert.equal(m2.json.method, 'list_dbs');
  assert.equal(m2.json.id, sent.json.id + 1);
  // The answer to the aborted request is ignored.
  conn.send({ id: sent.json.id, result: 'too late', error: null });
  conn.send({ id: m2.json.id, result: [], error: null });
  assert.deepEqual(await p2, []);
});

test('JsonRpc: when the server closes the connection every pending request rejects with ECONNRESET, socket set', bounded, async (t) => {
  const { conn, rpc, server } = await rpcPair(t);
  const matcher = ovsError({ code: 'ECONNRESET', operation: 'connection', socket: server.path, message: new RegExp(`connection to ${server.path} ended`) });
  const pending = [rpc.request('a', []), rpc.request('b', [], { timeout: 10_000 }), rpc.request('c', [], { signal: new AbortController().signal })];
  const checks = pending.map((p) => assert.rejects(p, matcher));
  const closed = once(rpc, 'close');
  for (let i = 0; i < 3; i++) await conn.next();
  conn.sock.end();
  await Promise.all(checks);
  const [why] = await within(closed, 2000, 'close event');
  matcher(why);
  assert.equal(rpc.closed, true);
  // Later requests fail at once with the same error.
  await assert.rejects(rpc.request('d', []), matcher);
});

test('JsonRpc: non-JSON from the server ends the connection with EPROTO (garbage between messages, or a broken message)', bounded, async (t) => {
  for (const garbage of ['hello\n', '{"id":1,,}', '"a string"']) {
    const { conn, rpc, server } = await rpcPair(t);
    const matcher = ovsError({ code: 'EPROTO', operation: 'read', socket: server.path, message: /not JSON-RPC/ });
    const p = rpc.request('list_dbs', []);
    const a = assert.rejects(p, matcher);
    const closed = once(rpc, 'close');
    await conn.next();
    conn.send(garbage);
    await a;
    matcher((await within(closed, 2000, 'close event'))[0]);
    await conn.ended();
    assert.equal(rpc.closed, true, garbage);
  }
});

test('JsonRpc: close() rejects what is pending with ECONNRESET and emits close without an error', bounded, async (t) => {
  const { conn, rpc } = await rpcPair(t);
  const p = rpc.request('list_dbs', []);
  const a = assert.rejects(p, ovsError({ code: 'ECONNRESET', operation: 'close' }));
  await conn.next();
  const closed = once(rpc, 'close');
  rpc.close();
  await a;
  assert.deepEqual(await within(closed, 2000, 'close event'), [undefined]);
  await conn.ended();
  await assert.rejects(rpc.request('x', []), ovsError({ code: 'ECONNRESET' }));
});

// ---------------------------------------------------------------------------------------------
// 4. OvsdbClient against a fake ovsdb-server

/** Answers transact and monitor like ovsdb-server would, on every connection. */
function autoAnswer(server, { monitorRows = () => ({}), transact = (params) => params.slice(1).map(() => ({})) } = {}) {
  const hook = (conn) => {
    conn.on('message', (msg) => {
      if (msg.method === 'monitor') conn.send({ id: msg.id, result: monitorRows(msg.params, server.conns.indexOf(conn) + 1), error: null });
      else if (msg.method === 'transact') {
        const result = transact(msg.params, conn);
        if (result !== undefined) conn.send({ id: msg.id, result, error: null });
      }
    });
  };
  server.on('connection', hook);
}

async function ovsdbPair(t, options = {}, setup = () => {}) {
  const server = await new FakeServer().listen();
  setup(server);
  const client = await OvsdbClient.connect({ socket: server.path, timeout: 3000, ...options });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  return { server, client };
}

test('OvsdbClient.connect: no server at the path rejects with ENOENT naming the path', bounded, async () => {
  const path = socketPath();
  for (const socket of [path, `unix:${path}`]) {
    await assert.rejects(
      OvsdbClient.connect({ socket, timeout: 1000 }),
      ovsError({ code: 'ENOENT', operation: `connect ${socket}`, socket, message: new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }),
    );
  }
});

test('OvsdbClient: transact sends [db, ...ops] and resolves with the results', bounded, async (t) => {
  const server = await new FakeServer().listen();
  autoAnswer(server, { transact: () => [{ uuid: ['uuid', '2a6f3c1e-0000-4000-8000-000000000001'] }, { rows: [{ name: 'br0', n: 1 }] }] });
  const client = await OvsdbClient.connect({ socket: `unix:${server.path}`, timeout: 3000 });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  const ops = [
    { op: 'insert', table: 'Bridge', row: { name: 'br0' } },
    { op: 'select', table: 'Bridge', where: [['name', '==', 'br0']] },
  ];
  const results = await client.transact('Open_vSwitch', ops);
  assert.deepEqual(results, [{ uuid: ['uuid', '2a6f3c1e-0000-4000-8000-000000000001'] }, { rows: [{ name: 'br0', n: 1 }] }]);
  const sent = server.conns[0].all.find((m) => m.json.method === 'transact');
  assert.deepEqual(sent.json.params, ['Open_vSwitch', ...ops]);
});

test('OvsdbClient: a failed operation rejects with ERR_OVSDB_<ERROR> naming the operation; a failed commit names the commit', bounded, async (t) => {
  const replies = [
    [{ uuid: ['uuid', 'u1'] }, { error: 'constraint violation', details: 'Transaction causes multiple rows in "Bridge" table to have identical values (br0) for index on column "name".' }],
    [{}, { error: 'referential integrity violation', details: 'cannot delete Port row' }],
    { not: 'a list' },
  ];
  const { server, client } = await ovsdbPair(t, {}, (s) => autoAnswer(s, { transact: () => replies.shift() }));
  const ops = [{ op: 'comment', comment: 'x' }, { op: 'insert', table: 'Bridge', row: { name: 'br0' } }];
  await assert.rejects(
    client.transact('Open_vSwitch', ops, { operation: 'addBridge br0' }),
    ovsError({ code: 'ERR_OVSDB_CONSTRAINT_VIOLATION', operation: 'addBridge br0', socket: server.path, message: /operation 2 \(insert\)/, details: /^constraint violation: Transaction causes multiple rows/ }),
  );
  await assert.rejects(
    client.transact('Open_vSwitch', [{ op: 'delete', table: 'Port', where: [] }]),
    ovsError({ code: 'ERR_OVSDB_REFERENTIAL_INTEGRITY_VIOLATION', operation: 'transact Open_vSwitch', message: /the commit/, details: 'referential integrity violation: cannot delete Port row' }),
  );
  await assert.rejects(client.transact('Open_vSwitch', []), ovsError({ code: 'EPROTO', message: /not a list/ }));
});

test('OvsdbClient: a request the server does not answer times out with ETIMEDOUT', bounded, async (t) => {
  const { server, client } = await ovsdbPair(t, { timeout: 80 });
  await assert.rejects(client.transact('Open_vSwitch', []), ovsError({ code: 'ETIMEDOUT', operation: 'transact Open_vSwitch', socket: server.path }));
  assert.equal(server.conns[0].all.length, 1, 'the request was sent');
});

test('OvsdbClient: after the server drops the connection the client reconnects (after 100 ms), monitors again and emits reconnect', bounded, async (t) => {
  const server = await new FakeServer().listen();
  autoAnswer(server, { monitorRows: (_params, n) => ({ Bridge: { [`u${n}`]: { new: { name: `br${n}` } } } }) });
  const client = await OvsdbClient.connect({ socket: server.path, timeout: 3000 });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  const requests = { Bridge: { columns: ['name'] }, Port: {} };
  assert.deepEqual(await client.monitor('Open_vSwitch', 'mon1', requests), { Bridge: { u1: { new: { name: 'br1' } } } });
  const updates = [];
  client.on('update', (id, rows) => updates.push([id, rows]));
  // A live update on the first connection.
  const first = server.conns[0];
  const updated = once(client, 'update');
  first.send({ id: null, method: 'update', params: ['mon1', { Bridge: { u1: { new: { name: 'br1-renamed' } } } }] });
  await within(updated, 2000, 'update');

  const disconnected = once(client, 'disconnect');
  const reconnected = once(client, 'reconnect');
  const second = server.connection(2);
  // Measured from the drop itself: the client's timer starts from the event loop's time when it
  // sees the drop, which is never before this (a later reference could make 100 ms look short).
  const droppedAt = performance.now();
  first.sock.destroy();
  const [why] = await within(disconnected, 2000, 'disconnect');
  ovsError({ code: 'ECONNRESET', socket: server.path })(why);
  const conn2 = await second;
  const delay = performance.now() - droppedAt;
  assert.ok(delay >= 90 && delay < 2000, `the first retry comes after the 100 ms backoff, not ${delay.toFixed(1)} ms`);
  await within(reconnected, 2000, 'reconnect');
  // The same monitor, the same monitor id, the same table requests.
  const monitors = server.conns.map((c) => c.all.filter((m) => m.json.method === 'monitor').map((m) => m.json.params));
  assert.deepEqual(monitors, [[['Open_vSwitch', 'mon1', requests]], [['Open_vSwitch', 'mon1', requests]]]);
  // The initial rows of the new monitor came as an update before 'reconnect'.
  assert.deepEqual(updates, [
    ['mon1', { Bridge: { u1: { new: { name: 'br1-renamed' } } } }],
    ['mon1', { Bridge: { u2: { new: { name: 'br2' } } } }],
  ]);
  // And the new connection serves requests and updates.
  const updated2 = once(client, 'update');
  conn2.send({ id: null, method: 'update', params: ['mon1', { Bridge: { u2: { old: { name: 'br2' } } } }] });
  assert.deepEqual(await within(updated2, 2000, 'update'), ['mon1', { Bridge: { u2: { old: { name: 'br2' } } } }]);
  assert.deepEqual(await client.transact('Open_vSwitch', [{ op: 'comment', comment: 'hi' }]), [{}]);
});

test('OvsdbClient: a request in flight when the connection drops fails with ECONNRESET (whether it committed is unknown)', bounded, async (t) => {
  const { server, client } = await ovsdbPair(t);
  const p = client.transact('Open_vSwitch', [{ op: 'comment', comment: 'x' }]);
  const a = assert.rejects(p, ovsError({ code: 'ECONNRESET', socket: server.path }));
  await server.conns[0].next();
  server.conns[0].sock.destroy();
  await a;
  // The client comes back by itself.
  autoAnswer(server);
  await within(once(client, 'reconnect'), 2000, 'reconnect');
  assert.deepEqual(await client.transact('Open_vSwitch', [{ op: 'comment', comment: 'y' }]), [{}]);
});

test('OvsdbClient: a request issued while disconnected (server down, retries failing) is sent once the connection is back', bounded, async (t) => {
  const server = await new FakeServer().listen();
  autoAnswer(server, { transact: () => [{ count: 1 }] });
  const client = await OvsdbClient.connect({ socket: server.path, timeout: 3000 });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  await client.monitor('Open_vSwitch', 'm', { Bridge: {} });
  const first = server.conns[0];
  const disconnected = once(client, 'disconnect');
  await server.stop(); // drops the connection and removes the socket: the retry at 100 ms gets ENOENT
  await within(disconnected, 2000, 'disconnect');
  const p = client.transact('Open_vSwitch', [{ op: 'delete', table: 'Bridge', where: [] }]);
  const state = track(p);
  const reconnected = once(client, 'reconnect');
  // The server comes back after the first retry has failed; the second (at 300 ms) gets through.
  const back = new Promise((resolve, reject) => setTimeout(() => server.listen().then(resolve, reject), 200));
  await within(back, 2000, 'the server listening again');
  assert.equal(state.settled, false, 'the request waits for the connection');
  assert.deepEqual(await p, [{ count: 1 }]);
  await within(reconnected, 2000, 'reconnect');
  const conn2 = server.conns[1];
  assert.deepEqual(first.all.map((m) => m.json.method), ['monitor'], 'nothing went to the dead connection');
  assert.deepEqual(conn2.all.map((m) => m.json.method).sort(), ['monitor', 'transact']);
  assert.equal(server.conns.length, 2, 'one successful reconnection');
});

test('OvsdbClient with reconnect: false: a dropped connection fails what is pending and what comes later', bounded, async (t) => {
  const { server, client } = await ovsdbPair(t, { reconnect: false });
  const p = client.transact('Open_vSwitch', []);
  const a = assert.rejects(p, ovsError({ code: 'ECONNRESET' }));
  await server.conns[0].next();
  const disconnected = once(client, 'disconnect');
  server.conns[0].sock.destroy();
  await a;
  await within(disconnected, 2000, 'disconnect');
  await assert.rejects(client.transact('Open_vSwitch', []), ovsError({ code: 'ECONNRESET' }));
  assert.equal(await emitsWithin(server, 'connection', 300), false, 'no reconnection');
});

test('OvsdbClient.close(): pending and later requests reject with ECONNRESET, and it does not reconnect', bounded, async (t) => {
  const server = await new FakeServer().listen();
  autoAnswer(server, { transact: () => undefined }); // never answers a transact
  const client = await OvsdbClient.connect({ socket: server.path, timeout: 3000 });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  await client.monitor('Open_vSwitch', 'm', { Bridge: {} });
  const p = client.transact('Open_vSwitch', [{ op: 'comment', comment: 'x' }]);
  const a = assert.rejects(p, ovsError({ code: 'ECONNRESET', socket: server.path }));
  const conn = server.conns[0];
  await within(new Promise((resolve) => { if (conn.all.length === 2) resolve(); else conn.once('message', resolve); }), 2000, 'the transact');
  let reconnects = 0;
  client.on('reconnect', () => reconnects++);
  client.close();
  await a;
  await conn.ended();
  await assert.rejects(client.transact('Open_vSwitch', []), ovsError({ code: 'ECONNRESET', message: /closed/ }));
  await assert.rejects(client.monitor('Open_vSwitch', 'm2', {}), ovsError({ code: 'ECONNRESET' }));
  // The first retry would come after 100 ms: wait up to 400 ms for a connection that must not come.
  assert.equal(await emitsWithin(server, 'connection', 400), false, 'no connection attempt after close()');
  assert.equal(server.conns.length, 1);
  assert.equal(reconnects, 0);
  client.close(); // twice is harmless
});

test('OvsdbClient.close() while disconnected: the waiting request rejects and the pending retry is cancelled', bounded, async (t) => {
  const { server, client } = await ovsdbPair(t, {}, (s) => autoAnswer(s));
  const disconnected = once(client, 'disconnect');
  server.conns[0].sock.destroy();
  await within(disconnected, 2000, 'disconnect');
  // Issued while disconnected: it waits for the connection, then close() ends the wait.
  const p = client.transact('Open_vSwitch', []);
  const a = assert.rejects(p, ovsError({ code: 'ECONNRESET', operation: 'close' }));
  client.close();
  await a;
  assert.equal(await emitsWithin(server, 'connection', 400), false, 'no connection attempt after close()');
  assert.equal(server.conns.length, 1);
});
