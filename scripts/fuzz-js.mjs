#!/usr/bin/env node
// A property fuzzer over every export of netdev, at the JavaScript level. Each export is called
// (functions) or constructed (classes) with seeded random arguments, mostly shaped like what it
// expects (option objects built from the option keys lib/ knows), sometimes fully random; the
// instances it returns get a few random method calls before they are closed. Per call it checks:
//   crash          the process survives (the test spawns this script, so an abort fails it)
//   hang           every returned promise settles within 15 s
//   bad-error      every throw/rejection is an Error with a string `code` (ERR_INVALID_ARG_*:
//                  a TypeError or RangeError), except the marked error a throwing getter threw
//   native-before-arg-error   an ERR_INVALID_ARG_* rejection made no system-touching addon call
//   partial-state  a call that made addon calls and then failed left the namespaces as they were
//                  (links, addresses, routes, rules, permanent neighbours, named namespaces,
//                  non-socket fds); with --concurrency 1 only
//   fd-leak        open fds return to the baseline (+ slack) at checkpoints and at the end
//   uncaught       no uncaught exception or unhandled rejection while the library runs (named
//                  after the call in progress, which with --concurrency may be a neighbour)
//   getter-reread  an option is read once (a getter may answer differently the second time)
//   inherited-option    no option is read through the options object's prototype chain
//   public-constructor  an @internal class (Netns, TunDevice, Watcher) cannot be built from outside
// It must run inside a private network + mount namespace: `node scripts/sandbox.mjs node
// scripts/fuzz-js.mjs [flags]` (`npm run fuzz:js`). Exit 0 without findings, 1 with, 2 on bad use.
// One file of ~1,000 lines on purpose: it is one property fuzzer whose generators, targets and
// oracles share module state. The seeded PRNG stream (a seed replays a run only if every choice
// draws from it in order), the wrapped addon's per-call context, the spies and labels that
// generators make and the checks read, the handles calls hand out that later calls take as
// arguments: split into modules, each of these would become an exported mutable.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { fdCount } from './fds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: node scripts/sandbox.mjs node scripts/fuzz-js.mjs [flags]
  --calls N          calls to make (default 20000)
  --seconds S        stop after S seconds (whichever of --calls/--seconds comes first)
  --seed S           PRNG seed, an integer 0..4294967295 (default random; printed for replay)
  --only a,b         fuzz only these exports
  --concurrency K    run K calls at once (default 1; above 1 the partial-state check is off)
  --ignore c:e,...   drop findings of category c for export e ('*' matches any): to keep looking
                     past a known defect that floods the output
  --verbose          print every finding, not only the first of each kind`;

// ---------------------------------------------------------------------------------------------
// Flags

function usage(message) {
  console.error(`fuzz-js: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseFlags(argv) {
  const flags = { calls: 20000, seconds: Infinity, seed: randomInt(2 ** 32), only: null, concurrency: 1, ignore: [], verbose: false };
  const int = (name, value, min, max) => {
    const n = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || n < min || n > max) usage(`${name} needs an integer from ${min} to ${max} (got ${value})`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--verbose') flags.verbose = true;
    else if (flag === '--calls') flags.calls = int(flag, value, 1, 1e9);
    else if (flag === '--seconds') flags.seconds = int(flag, value, 1, 1e7);
    else if (flag === '--seed') flags.seed = int(flag, value, 0, 2 ** 32 - 1);
    else if (flag === '--concurrency') flags.concurrency = int(flag, value, 1, 64);
    else if (flag === '--only') flags.only = list(flag, value);
    else if (flag === '--ignore') {
      flags.ignore = list(flag, value).map((s) => {
        const [category, target, extra] = s.split(':');
        if (!category || !target || extra !== undefined) usage(`--ignore takes category:export pairs (got ${s})`);
        return { category, target };
      });
    } else usage(`unknown flag ${flag}`);
    if (flag !== '--verbose') i++;
  }
  return flags;
}

function list(name, value) {
  if (value === undefined || value.startsWith('--') || value === '') usage(`${name} needs a comma-separated list`);
  return value.split(',');
}

const flags = parseFlags(process.argv.slice(2));
if (process.env.NETDEV_SANDBOX !== '1') {
  console.error('fuzz-js: refusing to run outside the sandbox (it creates and deletes links, routes and namespaces).\n' +
    'Run it as: node scripts/sandbox.mjs node scripts/fuzz-js.mjs [flags]   (or npm run fuzz:js)');
  process.exit(2);
}

const HANG_MS = 15000; // above the longest default wait in the library (connectTcp's 10 s timeout)
const FD_SLACK = 8;
const RESET_EVERY = 1000;
const MAX_LINKS = 40;

// ---------------------------------------------------------------------------------------------
// Counting addon calls. The library loads build/Release/netdev.node through node-gyp-build; the
// same path through require() gives the same module object (one require cache), so wrapping its
// function properties here, before netdev's first call, makes every call the library makes pass
// through a counter. Calls are attributed with AsyncLocalStorage to the fuzz call whose async
// context made them, so background work (a watcher's resync, the fuzzer's own state snapshots)
// is not counted against a call, and the counts stay right with --concurrency.
// Wrapped: every function export; the Poller, PacketQueue and Monitor classes through a Proxy
// construct trap. Not wrapped: NetnsHandle (the addon makes its instances; JS never constructs
// it), the methods of native objects (NetnsHandle.hold/close, PacketQueue.write, …) and the data
// exports (constants, linkTables, kindTables). encode/decode/decodeError are counted but are pure
// codecs: they do not count as touching the system for the native-before-arg-error check; nor
// does an addon call that itself refused its arguments (ERR_INVALID_ARG_*, thrown or rejected).

const requireHere = createRequire(import.meta.url);
const addonPath = requireHere('node-gyp-build').resolve(root);
const addon = requireHere(addonPath);
const PURE = new Set(['encode', 'decode', 'decodeError']);
const callContext = new AsyncLocalStorage();

const argumentError = (e) => typeof e?.code === 'string' && e.code.startsWith('ERR_INVALID_ARG_');

/** Runs one addon call, counted against the fuzz call in progress (if any). */
function counted(name, call) {
  const ctx = callContext.getStore();
  if (!ctx) return call();
  const system = !PURE.has(name);
  ctx.native++;
  if (system) ctx.system++;
  ctx.names.add(name);
  const refused = () => {
    if (system) ctx.system--;
  };
  let result;
  try {
    result = call();
  } catch (e) {
    if (argumentError(e)) refused();
    throw e;
  }
  if (result instanceof Promise) {
    return result.catch((e) => {
      if (argumentError(e)) refused();
      throw e;
    });
  }
  return result;
}

for (const [name, value] of Object.entries(addon)) {
  if (typeof value !== 'function' || name === 'NetnsHandle') continue;
  addon[name] = /^[A-Z]/.test(name)
    ? new Proxy(value, { construct: (target, args) => counted(name, () => Reflect.construct(target, args)) })
    : function wrapped(...args) {
      return counted(name, () => value.apply(this, args));
    };
}

const nd = await import('netdev');
// Checked after the library's first native call in setup(): it must have the object wrapped here.
function assertSameAddon() {
  if (requireHere.cache[addonPath]?.exports !== addon) throw new Error(`fuzz-js: the library did not load ${addonPath}`);
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (sfc32) and choice helpers.

function sfc32(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
const rand = sfc32(flags.seed);
const int = (n) => Math.floor(rand() * n);
const chance = (p) => rand() < p;
const pick = (arr) => arr[int(arr.length)];
const pickFn = (arr) => pick(arr)();

// ---------------------------------------------------------------------------------------------
// Option keys the library knows: the string arrays passed to v.options(), v.knownKeys() and
// kinds.ts's common() (each kind's extra keys), with `...NAME` spreads and bare NAME arguments resolved
// against the `const NAME = [...]` arrays of lib/. Scanned so that a new option is fuzzed too.

function scanOptionKeys() {
  const sources = readdirSync(join(root, 'lib'), { recursive: true })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(root, 'lib', f), 'utf8'));
  const strings = (text) => [...text.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  const consts = new Map();
  // `const NAME = [...]`, `const NAME = settingsOf<…>()([...])`, and the generated per-kind lists
  // (link/kinds/data.ts WRITABLE_KEYS) that `const NAME: … = WRITABLE_KEYS.kind` names.
  for (const src of sources) {
    for (const m of src.matchAll(/const ([A-Z_]+)\s*=\s*(?:settingsOf<[^>]*>\(\)\()?\[([^\]]*)\]/g)) consts.set(m[1], strings(m[2]));
    const writable = src.match(/export const WRITABLE_KEYS = \{([^}]*)\}/);
    if (writable) for (const m of writable[1].matchAll(/^\s*'?([\w-]+)'?: \[([^\]]*)\]/gm)) consts.set(`WRITABLE_KEYS.${m[1]}`, strings(m[2]));
  }
  for (const src of sources)
    for (const m of src.matchAll(/const ([A-Z_]+)(?::[^=]*)?=\s*(WRITABLE_KEYS\.[\w]+);/g)) consts.set(m[1], consts.get(m[2]) ?? []);
  const keys = new Set();
  let sites = 0;
  let scanned = 0;
  for (const src of sources) {
    // validate.ts defines these (its own calls pass variables): every other call site must be read.
    if (/export function knownKeys/.test(src)) continue;
    sites += [...src.matchAll(/(?<!function )\b(?:v\.options|knownKeys|common)\(/g)].length;
    for (const m of src.matchAll(/\b(?:knownKeys|options|common)\([^;]*?,\s*(\[[^\]]*\]|[A-Z_]+)\s*\)/g)) {
      scanned++;
      const arg = m[1];
      const inline = arg.startsWith('[');
      const spread = inline ? [...arg.matchAll(/\.\.\.([A-Z_]+)/g)].map((s) => s[1]) : [arg];
      for (const k of [...(inline ? strings(arg) : []), ...spread.flatMap((n) => consts.get(n) ?? [])]) keys.add(k);
    }
  }
  // A call the pattern cannot read would leave its options unfuzzed without a word: refuse to run.
  if (sites === 0) usage('the option-key scan found no v.options/knownKeys/common call in lib/');
  if (scanned < sites) usage(`the option-key scan read ${scanned} of ${sites} v.options/knownKeys/common calls in lib/: update scanOptionKeys`);
  return [...keys].sort();
}
const OPTION_KEYS = scanOptionKeys();

// ---------------------------------------------------------------------------------------------
// Values. `labels` gives generated objects a readable source form for findings (rendering must
// not run their getters or proxies).

const labels = new WeakMap();
const label = (value, text) => (labels.set(value, text), value);
const marks = new WeakSet(); // what throwing getters throw: recognised by identity
const BIG = 'x'.repeat(70000);

const LINKS = ['lo', 'fz0', 'fzbr0', 'fzv0', 'fzv1', 'missing0'];
const NEW_LINKS = ['fzn0', 'fzn1', 'fzn2', 'tun%d', 'fzt0'];
const NS_NAMES = ['fzns0', 'fzns1', 'fzns2', 'fzns3'];
const CIDRS = ['10.9.0.1/24', '10.9.1.1/16', '192.0.2.1', '2001:db8::1/64', 'fe80::1/64', '::1', '127.0.0.2/8', '10.9.0.0/24',
  '0.0.0.0/0', '::/0', '224.0.0.1', '2001:db8:1::/48', 'fe80::1%lo', '10.0.0.1/40', '10.9.0.1/'];
const IPS = ['10.9.0.2', '10.9.0.254', '192.0.2.1', '2001:db8::2', '127.0.0.1', '::1', '0.0.0.0', '::', '255.255.255.255', 'fe80::2', '239.1.1.1'];
const MACS = ['02:00:00:00:00:01', '02:aa:bb:cc:dd:ee', '01:00:5e:00:00:01', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', 'xx', '02:00:00:00:00:01:02:03'];
const KINDS = ['veth', 'bridge', 'dummy', 'vxlan', 'macvlan', 'vlan', 'ifb', 'vrf', 'bond', 'tun', 'nosuchkind', 'Dummy', 'a'.repeat(33)];
const EDGE_NUMBERS = [0, -1, 1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, -0, 2 ** 31 - 1, 2 ** 32 - 1];
const SMALL = [0, 1, 2, 3, 7, 10, 100, 255, 256, 1000, 4094, 4095, 65535, 65536];
const STRINGS = ['', 'a\0b', '%d', '%s%n', 'a/b', '../../etc/x', BIG, 'ünïcødé😀', '__proto__', 'toString', 'constructor',
  'hasOwnProperty', ' ', 'fz0 ', '.', '..', 'a:b'];
// Per-namespace sysctls, then keys that must be refused (escapes from /proc/sys/net, host-wide
// keys). The sandbox has its own network and mount namespaces only: a refused key that got
// through would reach the host, so setSysctl writes such keys only with kernel.hostname's
// current value (the escapes' target), which changes nothing.
const SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding', 'net.ipv6.conf.lo.disable_ipv6', 'net.ipv4.tcp_syncookies',
  ['net', 'ipv4', 'ip_forward']];
const BAD_SYSCTLS = ['net/ipv4/ip_forward', '../../etc/x', 'net/../kernel/hostname', 'net..ipv4', 'kernel.hostname', 'net',
  ['net', '..', 'kernel', 'hostname'], ['net', 'ipv4/ip_forward'], `net.${'x'.repeat(65)}`];
const PROGRAMS = ['true', 'false', 'cat', 'echo', 'sleep', 'ip', 'fz-no-such-program', '/nonexistent/fz', ''];
const CLOSED_FD = 60000; // never allocated (fds are handed out lowest first)

/** A number: mostly small plausible ones, sometimes the edges. */
const number = () => (chance(0.7) ? pick(SMALL) : pick(EDGE_NUMBERS));

/** Objects that misbehave when read: the shapes a hardened library must survive. */
const tricky = [
  () => label(new Proxy({}, { get: (_t, k) => (k === 'then' ? undefined : pick(STRINGS)) }), 'new Proxy({}, { get: () => randomString })'),
  () => {
    let reads = 0;
    return label({ get name() { return reads++ % 2 ? 'fz0' : 'bad/name'; }, get mtu() { return reads++ % 2 ? 1500 : -1; },
      get type() { return reads++ % 2 ? 'udp4' : 'bogus'; } }, "{ get name()/mtu()/type(): a different value on each read ('fz0'/'bad/name', 1500/-1, 'udp4'/'bogus') }");
  },
  () => {
    const mark = { fuzzMarked: true };
    marks.add(mark);
    return label({ get netns() { throw mark; }, get name() { throw mark; }, get type() { throw mark; } }, '{ get netns/name/type() { throw MARK } }');
  },
  () => label(Object.create(null), 'Object.create(null)'),
  () => label(Object.freeze({ name: 'fz0' }), "Object.freeze({ name: 'fz0' })"),
  () => label(Object.create({ netns: 'fzns9', name: 'fz0', type: 'udp4' }), "Object.create({ netns: 'fzns9', name: 'fz0', type: 'udp4' }) (inherited)"),
  () => {
    let o = {};
    for (let i = 0; i < 2000; i++) o = { a: o };
    return label(o, '{ a: { a: … 2000 levels } }');
  },
];

/** Anything at all. */
function junk() {
  switch (int(16)) {
    case 0: return pick(EDGE_NUMBERS);
    case 1: return pick(STRINGS);
    case 2: return chance(0.5);
    case 3: return pick([null, undefined]);
    case 4: return Symbol('fz');
    case 5: return pick([0n, 10n, -1n, 2n ** 64n]);
    case 6: return label(() => 'fz', "() => 'fz'");
    case 7: return label([1, , 'fz0'], "[1, , 'fz0']"); // eslint-disable-line no-sparse-arrays
    case 8: return label(Buffer.from('fz'), "Buffer.from('fz')");
    case 9: return label(new Float64Array(4), 'new Float64Array(4)');
    case 10: return label(new Date(0), 'new Date(0)');
    case 11: return label(new Map([['name', 'fz0']]), "new Map([['name', 'fz0']])");
    case 12: return pickFn(tricky);
    case 13: return number();
    case 14: return [];
    default: return {};
  }
}

// Namespace references. Only this process's namespace (pid, /proc/self, /proc/<pid>), the
// fuzzer's own named namespaces and handles, and references that cannot resolve: never
// /proc/1/… or another process (in the sandbox, /proc/1/ns/net is the host's namespace).
const infra = { handles: [], closed: null }; // the fuzzer's own Netns handles (never closed by calls)
const obtained = []; // everything calls handed out (closed before each reset)
// Instances of @internal classes built from outside: only their own methods are called (passed
// on as arguments they would only repeat the public-constructor finding), then they are closed.
const forged = [];
function nsRef() {
  const own = obtained.filter((o) => o instanceof nd.Netns);
  switch (int(13)) {
    case 0: case 1: return pick(NS_NAMES);
    case 2: return pick(infra.handles);
    case 3: return own.length ? pick(own) : infra.closed;
    case 4: return infra.closed;
    case 5: return { path: pick(['/run/netns/fzns0', '/proc/self/ns/net', `/proc/${process.pid}/ns/net`, '/nonexistent/ns', 'relative/ns', '/run/netns']) };
    case 6: return { pid: pick([process.pid, 4194304, 4194305, 0, -1, 1.5]) };
    case 7: return { fd: pick([...infra.handles.map((h) => h.fd), 0, 1, 2, CLOSED_FD, -1, 2 ** 31]) };
    case 8: return { path: pick(STRINGS) };
    case 9: return label({ fd: infra.handles[0].fd, path: '/proc/self/ns/net' }, `{ fd: ${infra.handles[0].fd}, path: '/proc/self/ns/net' }`);
    case 10: return pick(['missing0', '', 'a/b', '..', 'fzns\0']);
    default: return junk();
  }
}

const linkName = () => (chance(0.8) ? pick(LINKS) : chance(0.7) ? pick(NEW_LINKS) : pick(STRINGS));
const linkRef = () => (chance(0.8) ? linkName() : chance(0.6) ? pick([1, 2, 3, 99999]) : junk());
const address = () => (chance(0.85) ? (chance(0.5) ? pick(CIDRS) : pick(IPS)) : junk());
const ip = () => (chance(0.9) ? pick(IPS) : junk());

/** A value for an option key: what the key takes, most of the time. */
function valueFor(key) {
  if (chance(0.06)) return junk();
  switch (key) {
    case 'netns': case 'moveTo': return nsRef();
    case 'mtu': return pick([68, 1280, 1500, 9000, 65535, 65536, 67, 65537, 0, 1500.5]);
    case 'name': case 'master': case 'device': case 'link': case 'parent': case 'via': case 'iif': case 'oif': case 'bridge': return linkRef();
    case 'address': case 'gateway': case 'dst': case 'src': case 'destination': case 'source': case 'from': case 'to': return address();
    case 'remote': case 'local': case 'peer': case 'broadcast': case 'host': case 'localAddress': case 'multicastGroup': return ip();
    case 'mac': case 'adActorSystem': return pick(MACS);
    case 'kind': return pick(KINDS);
    case 'family': return pick([4, 6, 4, 6, 0, 5, '4']);
    case 'table': return pick(['main', 'local', 'default', 100, 254, 'all', 0, 2 ** 32 - 1, 'nosuch']);
    case 'type': return pick(['udp4', 'udp6', 'unicast', 'blackhole', 'unreachable', 'local', 'bogus']);
    case 'state': return pick(['permanent', 'reachable', 'stale', 'noarp', 'forwarding', 'blocking', 'static', 'bogus']);
    case 'mode': return pick(['bridge', 'private', 'vepa', 'passthru', 'l2', 'l3', 'balance-rr', 'active-backup', 'replace', 'bogus']);
    case 'scope': return pick(['global', 'link', 'host', 'site', 'galaxy', 0, 254]);
    case 'protocol': return pick(['static', 'boot', 'kernel', 'nosuch', 0, 99, 0x88a8, 0x8100]);
    case 'timeout': return pick([100, 200, 1000, 0, -1]);
    case 'signal': return abortSignal();
    case 'label': case 'alias': return pick(['fz0:1', 'fzalias', 'x'.repeat(256), ...STRINGS]);
    case 'data': case 'metrics': case 'offload': case 'settings': return options(OPTION_KEYS);
    case 'infoData': return pick([Buffer.alloc(4), Buffer.alloc(70000), 'notabuffer']);
    case 'candidates': return [nsRef(), nsRef()];
    case 'multipath': return [{ gateway: ip(), device: linkRef(), weight: pick([1, 2, 0, 300]) }];
    case 'uidRange': case 'sportRange': case 'dportRange': return { start: number(), end: number() };
    case 'arpIpTarget': return [ip(), ip()];
    case 'macaddrs': return [pick(MACS)];
    case 'receiveBuffer': return pick([4096, 65536, 2 ** 30, 2 ** 31, 4095]);
    case 'port': return pick([0, 5555, 4789, 65535, 65536, -1]);
    case 'queues': return pick([1, 2, 4, 0, 257]);
    case 'owner': case 'group': return pick([0, 1000, 65534, -1, 2 ** 32]);
  }
  if (/^(up|promisc|arp|stp|vlanFiltering|mcast\w*|vnetHdr|packetInfo|persist|carrier|noDad|noPrefixRoute|replace|router|proxy|self|sticky|externLearn|pvid|untagged|onlink|invert|l3mdev|listExisting|loopbackUp|reuseAddr|ipv6Only|all|csum|tso\d|ecn|uso\d|fibMatch|multiQueue|external|.*Inherit|.*Csum.*|learning|flood|hairpin|isolated|locked)$/.test(key))
    return chance(0.9) ? chance(0.5) : junk();
  return number();
}

function abortSignal() {
  const c = new AbortController();
  if (chance(0.3)) c.abort();
  return label(c.signal, c.signal.aborted ? 'AbortSignal.abort()' : 'new AbortController().signal');
}

/**
 * An options object: the `required` keys, 0-5 more (mostly from `preferred`, else from every key
 * lib/ knows), sometimes a junk key; rarely one of the tricky objects instead.
 */
function options(preferred = [], required = []) {
  if (chance(0.03)) return pickFn(tricky);
  const o = {};
  for (const k of required) if (chance(0.95)) o[k] = valueFor(k);
  for (let n = int(6); n > 0; n--) {
    const k = preferred.length && chance(0.92) ? pick(preferred) : pick(OPTION_KEYS);
    o[k] = valueFor(k);
  }
  if (chance(0.05)) o[pick(['bogus', '__proto__', 'toString', 'netns_'])] = junk();
  return chance(0.1) ? spy(o) : o;
}

// Spies: an options object whose own properties are getters counting their reads (a value read
// twice may change in between: validated once, used as another) and whose prototype records
// which option keys were looked up through it (an inherited option is not an option anyone gave).
// Each call's spies are checked once it settles.
let spies = [];
function spy(o) {
  const reads = new Map();
  const inherited = new Set();
  const proto = {};
  for (let n = int(3) + 1; n > 0; n--) {
    const k = pick(OPTION_KEYS);
    if (!Object.hasOwn(o, k)) proto[k] = valueFor(k);
  }
  const recorder = new Proxy(proto, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(target, key)) inherited.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  const s = Object.create(recorder);
  for (const [k, value] of Object.entries(o)) {
    Object.defineProperty(s, k, {
      enumerable: true,
      get() {
        reads.set(k, (reads.get(k) ?? 0) + 1);
        return value;
      },
    });
  }
  spies.push({ reads, inherited });
  return label(s, `${render(o)} (own options as read-counting getters; inherited: ${render(proto)})`);
}

function checkSpies(call) {
  for (const { reads, inherited } of call.spies) {
    for (const [k, n] of reads) if (n > 1) finding('getter-reread', call, `option '${k}' read ${n} times`);
    for (const k of inherited) finding('inherited-option', call, `option '${k}' read through the prototype chain`);
  }
}

const netnsOpt = (more = []) => options(['netns', 'netns', ...more]);
const maybe = (gen) => (chance(0.15) ? undefined : gen());

// ---------------------------------------------------------------------------------------------
// Argument shapes per export (from the signatures in lib/*.ts). An export without an entry gets
// generic arguments, so a new export is fuzzed from the day it appears.

const CREATE = ['name', 'netns', 'mtu', 'mac', 'up', 'master', 'txqlen', 'alias', 'group'];
const programArgs = (program) => {
  if (program === 'ip') return ['-j', 'link'];
  if (program === 'sleep') return [pick(['0', '0.1', '0.2'])];
  if (program === 'cat') return chance(0.5) ? [] : ['/nonexistent/fz'];
  return chance(0.7) ? [pick(['fz', '', 'ünï', 'a b'])] : junk();
};
// Every program gets a timeout (execFile's own option; spawn's is child_process's): nothing hangs.
const execOptions = () => {
  const o = { netns: nsRef(), timeout: 2000 };
  if (chance(0.3)) o.input = pick(['fz\n', Buffer.alloc(4 << 20), '', junk()]); // 4 MiB: more than a pipe holds
  if (chance(0.2)) o.mountSys = chance(0.8) ? chance(0.5) : junk();
  if (chance(0.1)) o.maxBuffer = pick([1, 10, 0, -1]);
  if (chance(0.1)) o.stdio = pick(['pipe', 'ignore', ['pipe', 'pipe', 'pipe'], 42]);
  if (chance(0.05)) o.shell = true;
  if (chance(0.05)) delete o.netns;
  return o;
};
const program = () => {
  const p = pick(PROGRAMS);
  return [p, p === 'ip' || chance(0.9) ? programArgs(p) : undefined, execOptions()];
};
const packet = () => pick([Buffer.alloc(0), Buffer.alloc(11), Buffer.alloc(60), Buffer.alloc(1500, 0x45), Buffer.alloc(70000), new Uint8Array(30), junk()]);
const packetList = () => pick([[packet(), packet()], [], { count: 1, buffer: Buffer.alloc(64), offsets: new Int32Array([0]), lengths: new Int32Array([64]) }, junk()]);
const fakeHandle = () => label({ fd: pick([CLOSED_FD, 0, -1]), closed: false, inode: 1, close() {}, hold() {}, unhold() {} },
  '{ fd, closed: false, inode: 1, close() {}, hold() {}, unhold() {} } (a fake handle)');

const HINTS = {
  createNetns: () => [maybe(() => (chance(0.8) ? pick(NS_NAMES) : pick(STRINGS))), maybe(() => options(['loopbackUp']))],
  deleteNetns: () => [chance(0.8) ? pick(NS_NAMES) : pick(STRINGS)],
  openNetns: () => [maybe(nsRef)],
  setLink: () => [linkRef(), options(['up', 'mtu', 'mac', 'name', 'master', 'promisc', 'arp', 'txqlen', 'alias', 'group', 'moveTo']), maybe(netnsOpt)],
  deleteLink: () => [linkRef(), maybe(netnsOpt)],
  deleteLinks: () => [chance(0.8) ? [linkRef(), linkRef()] : linkRef(), maybe(netnsOpt)],
  getLink: () => [linkRef(), maybe(netnsOpt)],
  listLinks: () => [maybe(() => netnsOpt(['kind', 'master']))],
  createVeth: () => [options([...CREATE, 'peer', 'peer'], ['name'])],
  setLinkData: () => [linkRef(), options(OPTION_KEYS), maybe(netnsOpt)],
  createLinkOfKind: () => [options([...CREATE, 'kind', 'data', 'infoData', 'parent'], ['name', 'kind'])],
  addBridgeVlan: () => [linkRef(), options(['vid', 'vidEnd', 'pvid', 'untagged', 'self'], ['vid']), maybe(netnsOpt)],
  deleteBridgeVlan: () => HINTS.addBridgeVlan(),
  listBridgeVlans: () => [maybe(() => netnsOpt(['link']))],
  addFdb: () => [linkRef(), options(['mac', 'dst', 'vni', 'vlan', 'master', 'self', 'state', 'via'], ['mac']), maybe(() => netnsOpt(['mode']))],
  deleteFdb: () => [linkRef(), options(['mac', 'dst', 'vni', 'vlan', 'master', 'self'], ['mac']), maybe(netnsOpt)],
  listFdb: () => [maybe(() => netnsOpt(['link', 'bridge']))],
  setBridgePort: () => [linkRef(), options(['state', 'priority', 'cost', 'hairpin', 'learning', 'flood', 'isolated', 'locked', 'groupFwdMask']), maybe(netnsOpt)],
  addAddress: () => [linkRef(), address(), maybe(() => netnsOpt(['broadcast', 'label', 'scope', 'peer', 'validLifetime', 'preferredLifetime', 'noDad', 'replace']))],
  deleteAddress: () => [linkRef(), address(), maybe(netnsOpt)],
  flushAddresses: () => [linkRef(), maybe(() => netnsOpt(['family']))],
  listAddresses: () => [maybe(() => netnsOpt(['link', 'family']))],
  connectTcp: () => [options(['netns', 'host', 'port', 'localAddress', 'timeout'], ['host', 'port', 'timeout'])],
  createTcpServer: () => [maybe(() => options(['netns', 'port', 'host', 'ipv6Only', 'backlog'])), maybe(() => (chance(0.7) ? label(() => {}, '() => {}') : junk()))],
  createUdpSocket: () => [options(['netns', 'port', 'address', 'reuseAddr'], ['type'])],
  parseVnetHeader: () => [packet(), maybe(number)],
  writeVnetHeader: () => [packet(), options(['flags', 'gsoType', 'ecn', 'hdrLen', 'gsoSize', 'csumStart', 'csumOffset']), maybe(number)],
  openTun: () => [maybe(() => options(['netns', 'name', 'queues', 'vnetHdr', 'offload', 'packetInfo', 'persist', 'carrier', 'maxBatch']))],
  openTap: () => HINTS.openTun(),
  createPersistentTun: () => [options(['netns', 'owner', 'group', 'multiQueue', 'vnetHdr', 'packetInfo'], ['name'])],
  createPersistentTap: () => HINTS.createPersistentTun(),
  deletePersistentTun: () => [linkName(), maybe(netnsOpt)],
  deletePersistentTap: () => HINTS.deletePersistentTun(),
  openMacvtap: () => [linkName(), maybe(() => netnsOpt(['queues', 'vnetHdr', 'offload', 'sndbuf']))],
  addRoute: () => [options(['destination', 'destination', 'gateway', 'device', 'table', 'metric', 'type', 'scope', 'multipath', 'metrics', 'netns'], ['destination'])],
  replaceRoute: () => HINTS.addRoute(),
  deleteRoute: () => HINTS.addRoute(),
  addRoutes: () => [chance(0.9) ? [HINTS.addRoute()[0], HINTS.addRoute()[0]] : junk(), maybe(() => netnsOpt(['replace']))],
  getRoute: () => [address(), maybe(() => netnsOpt(['from', 'iif', 'device', 'mark', 'uid', 'fibMatch']))],
  listRoutes: () => [maybe(() => netnsOpt(['family', 'table', 'device', 'protocol', 'type']))],
  addRule: () => [options(['netns', 'family', 'priority', 'from', 'to', 'iif', 'table', 'action', 'fwmark', 'uidRange'])],
  deleteRule: () => HINTS.addRule(),
  listRules: () => [maybe(() => netnsOpt(['family']))],
  addNeighbour: () => [options(['netns', 'mac', 'state', 'router', 'proxy'], ['device', 'address'])],
  replaceNeighbour: () => HINTS.addNeighbour(),
  deleteNeighbour: () => HINTS.addNeighbour(),
  listNeighbours: () => [maybe(() => netnsOpt(['device', 'family', 'proxy']))],
  flushNeighbours: () => [maybe(() => netnsOpt(['device', 'family', 'all']))],
  setNetnsId: () => [nsRef(), pick([0, 1, 7, -1, 2 ** 31, 1.5]), maybe(netnsOpt)],
  getNetnsId: () => [nsRef(), maybe(netnsOpt)],
  listNetnsIds: () => [maybe(netnsOpt)],
  findNetnsById: () => [pick([0, 1, 7, -1]), maybe(() => netnsOpt(['candidates']))],
  getSysctl: () => [pick(chance(0.7) ? SYSCTLS : BAD_SYSCTLS), maybe(netnsOpt)],
  setSysctl: () => (chance(0.7)
    ? [pick(SYSCTLS), pick([0, 1, '1', true, false, 'x', NaN, '1\0', BIG]), maybe(netnsOpt)]
    : [pick(BAD_SYSCTLS), hostname(), maybe(netnsOpt)]),
  execFile: program,
  spawn: program,
  watch: () => [maybe(() => options(['netns', 'link', 'address', 'route', 'neighbour', 'rule', 'listExisting', 'signal', 'receiveBuffer']))],
  // Classes (constructor arguments). TunDevice's fds are never live ones: it would take them over.
  NetdevError: () => [chance(0.8) ? options(['errnum', 'syscall', 'extack', 'path', 'operation', 'netns'], ['errnum', 'syscall']) : junk()],
  Netns: () => [chance(0.5) ? fakeHandle() : junk(), maybe(() => pick(NS_NAMES)), maybe(() => pick(['/proc/self/ns/net', null]))],
  TunDevice: () => [linkName(), pick(['tun', 'tap', 'bogus']), chance(0.5), pick([[CLOSED_FD], [], [CLOSED_FD, CLOSED_FD + 1], ['x'], null]), { maxBatch: pick([1, 64, 0]), budget: pick([65536, 0]) }],
  Watcher: () => [options(['link', 'route']), pick([['link'], [], ['bogus'], null])],
  GsoSplitter: () => [maybe(() => options(['vnetHdr']))],
  TcpCoalescer: () => [maybe(() => options(['vnetHdr', 'maxSegments']))],
};
// Exports whose arguments are never fully random: they run programs, take over file descriptors
// or write sysctls.
const ALWAYS_HINTED = new Set(['execFile', 'spawn', 'TunDevice', 'setSysctl']);
const genericCreate = () => [options(CREATE, ['name'])];

function argsFor(target) {
  const hint = HINTS[target.name] ?? (/^create/.test(target.name) ? genericCreate : null);
  if (hint && (ALWAYS_HINTED.has(target.name) || chance(0.85))) return hint();
  return Array.from({ length: int(5) }, () => pickFn([junk, linkRef, address, () => options(), nsRef]));
}

// ---------------------------------------------------------------------------------------------
// Rendering arguments readably (findings must replay by hand too).

function render(value, depth = 0) {
  try {
    return renderValue(value, depth);
  } catch {
    return '<unrenderable object>'; // say, an object whose prototype is a typed array
  }
}

function renderValue(value, depth) {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    if (labels.has(value)) return labels.get(value);
    if (value instanceof nd.Netns) return infra.handles.includes(value) ? `<Netns ${value.name}>` : value === infra.closed ? '<closed Netns>' : '<Netns from a call>';
    if (typeof value === 'function') return `<function ${value.name}>`;
    if (Buffer.isBuffer(value)) return `Buffer.alloc(${value.length})`;
    if (ArrayBuffer.isView(value)) return `new ${value.constructor.name}(${value.length})`;
    if (value instanceof globalThis.AbortSignal) return 'AbortSignal';
    if (depth > 3) return '…';
    if (Array.isArray(value)) return `[${Array.from({ length: value.length }, (_, i) => (i in value ? render(value[i], depth + 1) : '')).join(', ')}]`;
    const parts = Object.entries(Object.getOwnPropertyDescriptors(value)).map(([k, d]) =>
      `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${'value' in d ? render(d.value, depth + 1) : '<getter>'}`);
    return `{ ${parts.join(', ')} }`;
  }
  if (typeof value === 'string') return value === BIG ? "'x'.repeat(70000)" : JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Object.is(value, -0)) return '-0';
  return String(value);
}
const renderCall = (call) => `${call.target.isClass ? 'new ' : ''}${call.target.name.replace('#', '.')}(${call.args.map((a) => render(a)).join(', ')})`;

// ---------------------------------------------------------------------------------------------
// Findings.

const findings = new Map(); // signature → { category, target, count, shape }
let findingCount = 0;

function finding(category, call, detail) {
  const target = call?.target.name ?? '-';
  if (flags.ignore.some((i) => (i.category === '*' || i.category === category) && (i.target === '*' || i.target === target))) return;
  findingCount++;
  // One report per kind of defect: values (quoted, numbers, what was received) left out.
  const shape = String(detail).split('\n')[0].replace(/Received .*$/, '').replace(/'[^']*'|"[^"]*"/g, 'Q').replace(/\d+/g, 'N');
  const signature = `${category} ${target} ${shape.slice(0, 160)}`;
  const seen = findings.get(signature);
  // Control characters (a NUL from an argument echoed in a message) would make the log binary.
  const text = `FINDING [${category}] ${target}: ${detail}\n  call #${call?.n ?? '-'}, seed ${flags.seed}: ${call ? renderCall(call) : '(no call)'}`
    // eslint-disable-next-line no-control-regex -- finds them to escape them
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (seen) {
    seen.count++;
    if (flags.verbose) console.log(text);
    return;
  }
  findings.set(signature, { category, target, count: 1, shape });
  console.log(text);
}

// Errors that escape the library's control are findings too; the process keeps going.
let lastCall = null;
process.on('uncaughtException', (e) => {
  if (!marks.has(e)) finding('uncaught', lastCall, `uncaught exception (during or after this call): ${e?.stack ?? render(e)}`);
});
process.on('unhandledRejection', (e) => finding('uncaught', lastCall, `unhandled rejection (during or after this call): ${e?.stack ?? render(e)}`));

/** Property 3: the shape of what a call threw or rejected with. */
function checkError(call, e) {
  if (marks.has(e)) return 'marked';
  if (!(e instanceof Error)) {
    finding('bad-error', call, `threw a non-Error: ${render(e)}`);
    return 'system';
  }
  if (typeof e.code !== 'string') {
    finding('bad-error', call, `${e.name} without a string code: ${e.message.split('\n')[0]}`);
    return 'system';
  }
  if (e.code.startsWith('ERR_INVALID_ARG_')) {
    if (!(e instanceof TypeError || e instanceof RangeError)) finding('bad-error', call, `${e.code} is a ${e.name}, not a TypeError/RangeError: ${e.message}`);
    return 'argument';
  }
  return 'system';
}

// ---------------------------------------------------------------------------------------------
// State: what a failed call must leave as it was.

function fdMap() {
  const out = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`);
    } catch {
      // the directory's own fd, closed by now
    }
  }
  return out.join('\n    ');
}

const sorted = (list, fn) => list.map((x) => JSON.stringify(fn(x))).sort();
// Kernel-made entries that come and go by themselves (IPv6 link-local addresses and their routes
// appear when a link's carrier does, up to a second after the call that caused it; dynamic
// neighbours), left out so that the comparison sees only what calls change.
const kernelMade = (a) => /^(fe80|ff00)::/.test(a ?? '');
// An address given a finite valid lifetime (addAddress's validLifetime) is deleted by the kernel
// when it runs out, whatever call is being made then: it is no call's change.
const expiring = (a) => a.validLifetime !== undefined && a.validLifetime !== Infinity;
// Routes the kernel derives from addresses and links (protocol kernel): an IPv6 address's local
// route appears only once its duplicate address detection is over, a second or so after the call
// that added it. The addresses themselves are compared.
const derivedRoute = (r) => r.protocol === 'kernel' || kernelMade(r.destination);

async function namespaceState(netns) {
  const o = netns ? { netns } : {};
  const [links, addrs, routes, rules, neighs] = await Promise.all([
    nd.listLinks(o), nd.listAddresses(o), nd.listRoutes({ ...o, table: 'all' }), nd.listRules(o), nd.listNeighbours(o),
  ]);
  return {
    links: sorted(links, (l) => [l.name, l.index, l.mtu, l.up, l.master, l.alias, l.group, l.mac, l.kind]),
    addresses: sorted(addrs.filter((a) => !kernelMade(a.address) && !expiring(a)), (a) => [a.index, a.address, a.prefixLength, a.peer, a.broadcast, a.label, a.scope]),
    routes: sorted(routes.filter((r) => !derivedRoute(r)), (r) => [r.family, r.destination, r.table, r.type, r.metric, r.gateway, r.index, r.protocol, r.scope, r.source, r.from, r.multipath]),
    rules: sorted(rules, (r) => r),
    neighbours: sorted(neighs.filter((n) => n.state.includes('permanent')), (n) => [n.index, n.address, n.mac, n.proxy, n.router]),
  };
}

/**
 * Open fds other than sockets: the library opens its pooled rtnetlink sockets on a namespace's
 * first use and keeps them, which a failed call may well be; sockets that pile up are caught by
 * the fd checkpoints instead.
 */
function nonSocketFds() {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return !readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

async function snapshot() {
  const state = { self: await namespaceState(undefined), netns: await nd.listNetns(), fds: nonSocketFds() };
  for (const h of infra.handles) state[h.name] = await namespaceState(h).catch((e) => `unreadable: ${e.code}`);
  return state;
}

/** What differs between two snapshots, one line per item. */
function stateDiff(before, after) {
  const lines = [];
  const walk = (a, b, path) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (const x of a) if (!b.includes(x)) lines.push(`${path}: gone ${x}`);
      for (const x of b) if (!a.includes(x)) lines.push(`${path}: new ${x}`);
    } else if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], path ? `${path}.${k}` : k);
    } else if (a !== b) lines.push(`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  };
  walk(before, after, '');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Setup, cleanup and the objects calls hand out.

/**
 * The baseline links of a namespace: an ifb (not a dummy: CI kernels may lack the module, ifb is
 * built in more often) with an address, a bridge and a veth pair with one end on it.
 */
async function baselineLinks(netns) {
  const o = netns ? { netns } : {};
  await nd.createIfb({ name: 'fz0', up: true, ...o });
  await nd.addAddress('fz0', '10.9.0.1/24', o);
  await nd.createBridge({ name: 'fzbr0', up: true, ...o });
  await nd.createVeth({ name: 'fzv0', peer: { name: 'fzv1' }, master: 'fzbr0', ...o });
}

let baseline = null; // the process's own namespace after setup: cleanup restores toward it

async function setup() {
  for (const name of ['fzns0', 'fzns1']) infra.handles.push(await nd.createNetns(name));
  if (!infra.closed) {
    infra.closed = await nd.createNetns();
    infra.closed.close();
  }
  for (const h of [undefined, ...infra.handles]) await baselineLinks(h);
  baseline ??= await namespaceState(undefined);
}

/** Closes what calls handed out (bounded waits: a stuck close is not the fuzzer's to fix). */
async function closeObtained() {
  const waits = [];
  for (const o of [...obtained.splice(0), ...forged.splice(0)]) {
    try {
      if (o instanceof ChildProcess) {
        if (o.exitCode === null && o.signalCode === null) waits.push(new Promise((r) => o.once('close', r)));
        o.kill('SIGKILL');
      } else if (o instanceof net.Server) waits.push(new Promise((r) => o.close(r)));
      else if (o instanceof net.Socket) o.destroy();
      else if (o instanceof dgram.Socket) waits.push(new Promise((r) => o.close(r)));
      else if (typeof o.close === 'function') o.close();
    } catch {
      // closing a half-made object may throw; it is released either way
    }
  }
  await Promise.race([Promise.all(waits), sleep(3000)]);
}

/**
 * Best effort: undoes what calls did to the process's own namespace (it cannot be re-made). The
 * loopback device is ifindex 1 in every namespace and cannot be deleted, but calls may have
 * renamed it, changed its MTU or taken it down.
 */
async function cleanSelf() {
  const links = await nd.listLinks();
  await Promise.all(links.filter((l) => l.index !== 1).map((l) => nd.deleteLink(l.index).catch(() => undefined)));
  await nd.setLink(1, { name: 'lo', mtu: 65536, up: true, alias: null }).catch(() => nd.setLink(1, { name: 'lo', mtu: 65536, up: true }));
  for (const a of await nd.listAddresses({ link: 1 })) {
    const key = JSON.stringify([a.index, a.address, a.prefixLength, a.peer, a.broadcast, a.label, a.scope]);
    if (!baseline.addresses.includes(key) && !kernelMade(a.address)) await nd.deleteAddress(1, `${a.address}/${a.prefixLength}`).catch(() => undefined);
  }
  for (const r of await nd.listRules()) {
    if (baseline.rules.includes(JSON.stringify(r))) continue;
    await nd.deleteRule({ family: r.family, priority: r.priority, table: r.table }).catch(() => undefined);
  }
  for (const r of await nd.listRoutes({ table: 'all' })) {
    if (r.table === 255 || kernelMade(r.destination)) continue;
    await nd.deleteRoute({ destination: r.destination, family: r.family, table: r.table, ...(r.metric !== undefined ? { metric: r.metric } : {}) }).catch(() => undefined);
  }
}

async function reset() {
  await closeObtained();
  for (const h of infra.handles) h.close();
  infra.handles = [];
  for (const name of await nd.listNetns()) await nd.deleteNetns(name).catch(() => undefined);
  await cleanSelf();
  await setup();
  snapshotCache = null;
}

function track(result) {
  if (infra.handles.includes(result) || result === infra.closed || obtained.includes(result)) return;
  if (result instanceof nd.Netns || result instanceof nd.TunDevice || result instanceof nd.Watcher || result instanceof ChildProcess ||
      result instanceof net.Server || result instanceof net.Socket || result instanceof dgram.Socket) {
    obtained.push(result);
    if (result instanceof ChildProcess) {
      // The caller's job in any program: without these, a failed spawn or a closed pipe would throw.
      result.on('error', () => {});
      for (const s of [result.stdin, result.stdout, result.stderr]) s?.on('error', () => {});
      result.stdout?.resume();
      result.stderr?.resume();
    }
    // Emitters report failures as 'error' events: listening for them is the caller's part.
    if (result instanceof net.Socket || result instanceof dgram.Socket || result instanceof net.Server || result instanceof nd.TunDevice) result.on('error', () => {});
    // As any caller would: without an 'error' listener a failing watcher prints a warning.
    if (result instanceof nd.Watcher) result.on('error', () => {});
  }
  if (result instanceof nd.GsoSplitter || result instanceof nd.TcpCoalescer) obtained.push(result);
}

// Random method calls on what calls handed out: the library's own classes only (Node's sockets
// are exercised by creating and closing them). Each entry: [class, method, arguments].
const METHODS = [
  [() => nd.Netns, 'close', () => []],
  [() => nd.Netns, Symbol.dispose, () => []],
  [() => nd.TunDevice, 'write', () => [packet(), maybe(number)]],
  [() => nd.TunDevice, 'writeMany', () => [[packet(), packet()], maybe(number)]],
  [() => nd.TunDevice, 'writeBatch', () => [packetList(), maybe(() => [0, 1]), maybe(number)]],
  [() => nd.TunDevice, 'setCarrier', () => [chance(0.8) ? chance(0.5) : junk()]],
  [() => nd.TunDevice, 'setQueueAttached', () => [number(), chance(0.5)]],
  [() => nd.TunDevice, 'setPersist', () => [false]],
  [() => nd.TunDevice, 'pause', () => []],
  [() => nd.TunDevice, 'resume', () => []],
  [() => nd.TunDevice, 'onPackets', () => [chance(0.8) ? label(() => {}, '() => {}') : junk()]],
  [() => nd.TunDevice, 'ref', () => []],
  [() => nd.TunDevice, 'unref', () => []],
  [() => nd.TunDevice, 'close', () => []],
  [() => nd.Watcher, 'ref', () => []],
  [() => nd.Watcher, 'unref', () => []],
  [() => nd.Watcher, 'close', () => []],
  [() => nd.GsoSplitter, 'split', () => [packet()]],
  [() => nd.GsoSplitter, 'packet', () => [number()]],
  [() => nd.TcpCoalescer, 'coalesce', () => [packetList()]],
  [() => nd.TcpCoalescer, 'packet', () => [number()]],
];

/** A few method calls on one of the instances calls returned; each is itself a checked call. */
async function fuzzMethods(n) {
  const candidates = [...obtained, ...forged].filter((o) => METHODS.some(([cls]) => o instanceof cls()));
  if (!candidates.length) return;
  const o = pick(candidates);
  const methods = METHODS.filter(([cls]) => o instanceof cls());
  for (let i = int(3) + 1; i > 0; i--) {
    const [cls, method, argsGen] = pick(methods);
    const args = argsGen();
    const name = `${cls().name}${forged.includes(o) ? '(forged)' : ''}#${method === Symbol.dispose ? '[Symbol.dispose]' : method}`;
    await invoke({ n, target: { name, isClass: false }, args, run: () => o[method](...args) }, { checkState: false });
  }
}

// ---------------------------------------------------------------------------------------------
// One call, with every per-call check.

let snapshotCache = null;
const HANG = Symbol('hang');
const stats = new Map(); // export → { resolved, argument, system }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref());

function statsOf(name) {
  if (!stats.has(name)) stats.set(name, { resolved: 0, argument: 0, system: 0 });
  return stats.get(name);
}

async function invoke(call, { checkState }) {
  const ctx = { native: 0, system: 0, names: new Set() };
  lastCall = call;
  const before = checkState ? (snapshotCache ??= await snapshot()) : null;
  let outcome;
  let error;
  let result;
  await callContext.run(ctx, async () => {
    try {
      result = call.run();
      if (result && typeof result.then === 'function') {
        let timer;
        const hang = new Promise((resolve) => (timer = setTimeout(() => resolve(HANG), HANG_MS)));
        const settled = await Promise.race([result, hang]).finally(() => clearTimeout(timer));
        if (settled === HANG) {
          finding('hang', call, `did not settle within ${HANG_MS} ms`);
          result.then(track, () => {});
          outcome = 'hang';
          return;
        }
        result = settled;
      }
      outcome = 'resolved';
    } catch (e) {
      error = e;
      outcome = checkError(call, e);
    }
  });
  if (call.spies) checkSpies(call);
  const s = statsOf(call.target.name);
  if (outcome === 'resolved') {
    s.resolved++;
    snapshotCache = null;
    if (call.target.isClass) checkConstructor(call, result);
    else track(result);
    return;
  }
  if (outcome === 'hang') {
    snapshotCache = null;
    return;
  }
  s[outcome === 'system' ? 'system' : 'argument']++; // a throwing getter's error is the argument's
  if (outcome === 'argument' && ctx.system > 0)
    finding('native-before-arg-error', call, `${error.code} after ${ctx.system} addon call(s) (${[...ctx.names].join(', ')}): ${error.message.split('\n')[0]}`);
  if (checkState && ctx.system > 0) {
    const after = await snapshot();
    const diff = stateDiff(before, after);
    if (diff.length) finding('partial-state', call, `failed (${error?.code ?? render(error)}) but changed state:\n    ${diff.slice(0, 12).join('\n    ')}`);
    snapshotCache = after;
  }
}

// The constructors documented @internal: building one from outside is a finding (once per class).
const INTERNAL_CLASSES = new Set(['Netns', 'TunDevice', 'Watcher', 'OvsClient', 'OvsdbClient']);
function checkConstructor(call, instance) {
  if (INTERNAL_CLASSES.has(call.target.name)) finding('public-constructor', call, `an @internal constructor built an instance from outside the library`);
  if (INTERNAL_CLASSES.has(call.target.name)) forged.push(instance);
  else track(instance);
}

// ---------------------------------------------------------------------------------------------
// Main loop.

function targetsOf(module) {
  const all = Object.keys(module).filter((k) => k !== 'default' && typeof module[k] === 'function').sort().map((name) => ({
    name,
    fn: module[name],
    isClass: /^class\b/.test(Function.prototype.toString.call(module[name])),
  }));
  if (!flags.only) return all;
  const unknown = flags.only.filter((n) => !all.some((t) => t.name === n));
  if (unknown.length) usage(`--only: no such export: ${unknown.join(', ')}`);
  return all.filter((t) => flags.only.includes(t.name));
}

function makeCall(n, target) {
  spies = [];
  const args = argsFor(target);
  const run = target.isClass ? () => new target.fn(...args) : () => target.fn(...args);
  return { n, target, args, run, spies };
}

async function linkCountTooHigh() {
  for (const h of [undefined, ...infra.handles]) {
    const links = await nd.listLinks(h ? { netns: h } : {}).catch(() => []);
    if (links.length > MAX_LINKS) return true;
  }
  return false;
}

/** Property 6 at a checkpoint: every obtained object closed, state reset. */
async function checkFds(baselineFds, when) {
  const end = Date.now() + 2000;
  while (fdCount() > baselineFds + FD_SLACK && Date.now() < end) {
    global.gc?.();
    await sleep(50);
  }
  const now = fdCount();
  if (now > baselineFds + FD_SLACK) finding('fd-leak', lastCall, `${when}: ${now} fds open, baseline ${baselineFds} (+${FD_SLACK} slack)\n    ${fdMap()}`);
}

async function main() {
  const targets = targetsOf(nd);
  console.log(`fuzz-js: seed ${flags.seed}, calls ${flags.calls}${Number.isFinite(flags.seconds) ? `, seconds ${flags.seconds}` : ''}, concurrency ${flags.concurrency}, node ${process.version}`);
  console.log(`fuzz-js: ${targets.length} targets: ${targets.map((t) => (t.isClass ? `new ${t.name}` : t.name)).join(', ')}`);
  console.log(`fuzz-js: ${OPTION_KEYS.length} option keys scanned from lib/**/*.ts`);
  await setup();
  assertSameAddon();
  // Warm up what Node opens once and keeps (the child-process signal pipe, the thread pool).
  await nd.execFile('true', [], { netns: infra.handles[0], timeout: 2000 });
  await closeObtained();
  const baselineFds = fdCount();
  const started = performance.now();
  const deadline = Date.now() + flags.seconds * 1000;
  const sequential = flags.concurrency === 1;
  let n = 0;
  let lastReset = 0;
  let nextProgress = Math.ceil(flags.calls / 10);
  while (n < flags.calls && Date.now() < deadline) {
    const batch = [];
    for (let k = 0; k < flags.concurrency && n < flags.calls; k++) batch.push(makeCall(++n, pick(targets)));
    await Promise.all(batch.map((call) => invoke(call, { checkState: sequential })));
    if (chance(0.2)) await fuzzMethods(n);
    const due = n - lastReset >= RESET_EVERY;
    if (due || (n % 100 < flags.concurrency && (await linkCountTooHigh()))) {
      await reset();
      lastReset = n;
      if (due) await checkFds(baselineFds, `checkpoint after call #${n}`);
    }
    if (n >= nextProgress) {
      const secs = (performance.now() - started) / 1000;
      console.log(`fuzz-js: ${n} calls, ${(n / secs).toFixed(0)} calls/s, ${findingCount} findings`);
      nextProgress += Math.ceil(flags.calls / 10);
    }
  }
  await closeObtained();
  for (const h of infra.handles) h.close();
  await checkFds(baselineFds, 'at the end');
  summary(n, (performance.now() - started) / 1000);
}

function summary(calls, secs) {
  console.log(`\nfuzz-js: ${calls} calls in ${secs.toFixed(1)} s (${(calls / secs).toFixed(0)} calls/s), seed ${flags.seed}`);
  console.log('  export                        resolved  arg-check  system');
  for (const [name, s] of [...stats].sort(([a], [b]) => a.localeCompare(b)))
    console.log(`  ${name.padEnd(28)} ${String(s.resolved).padStart(9)} ${String(s.argument).padStart(10)} ${String(s.system).padStart(7)}`);
  const byCategory = new Map();
  for (const f of findings.values()) byCategory.set(f.category, (byCategory.get(f.category) ?? 0) + f.count);
  console.log(`fuzz-js: ${findingCount} findings (${findings.size} distinct)${byCategory.size ? ': ' : ''}${[...byCategory].map(([c, k]) => `${c} ${k}`).join(', ')}`);
  for (const f of findings.values()) console.log(`  [${f.category}] ${f.target} ×${f.count}: ${f.shape.slice(0, 110)}`);
}

try {
  await main();
} catch (e) {
  // The fuzzer's own failure (setup, reset): not a finding, and never a silent exit 0.
  console.error(`fuzz-js: fuzzer error: ${e?.stack ?? e}`);
  process.exit(2);
}
process.exit(findingCount ? 1 : 0);
