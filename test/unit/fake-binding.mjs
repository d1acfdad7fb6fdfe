// A fake addon for lib/'s unit tests: the real TypeScript (dist/cjs) runs over a small in-memory
// kernel that records every native call. Only the kernel is faked: the uapi constants, the link
// and kind tables, encode() and decode() are the real addon's, and every reply the fake gives is
// real netlink bytes (built by the real encoder) decoded by the real decoder, so lib/ sees exactly
// the shapes it sees in production. Installed through lib/core/binding.ts's setBindingForTesting.
//
//   const kernel = installFakeKernel();      // binding() now returns kernel.binding
//   kernel.addLink({ name: 'a0' });          // the fake kernel's state
//   kernel.refuse((req) => …, 'EPERM');      // refuse matching requests
//   kernel.calls                             // [{ fn: 'rtnl', ns, requests }, …]
//   kernel.uninstall();                      // back to the real addon
import { createRequire } from 'node:module';
import { closeSync, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

/** The compiled package (dist/cjs) and its loader, the same module instances lib/ uses. */
export const nd = require(`${root}dist/cjs/index.js`);
const loader = require(`${root}dist/cjs/core/binding.js`);
/** The real addon (loaded before any fake is installed). */
export const real = loader.binding();
export const C = real.constants;
const errno = osConstants.errno;

/** An error shaped as the addon's rtnetlink refusals (native/napi_error.cc). */
export function nativeError(code, extack) {
  const errnum = errno[code];
  if (typeof errnum !== 'number') throw new Error(`fake kernel: unknown errno ${code}`);
  const e = new Error(extack ?? code);
  e.errnum = errnum;
  e.syscall = 'rtnetlink';
  if (extack) e.extack = extack;
  return e;
}

/** Real decoded reply objects for `RTM_NEWLINK`-shaped link fields. */
function linkReply(l) {
  const link = { index: l.index, name: l.name, group: l.group, mtu: l.mtu, up: l.up };
  if (l.kind) link.kind = l.kind;
  if (l.parent) link.parent = l.parent; // IFLA_LINK: a veth's peer
  if (l.alias) link.alias = l.alias;
  return real.decode(real.encode({ type: C.RTM_NEWLINK, link }));
}

function addrReply(a) {
  return real.decode(real.encode({ type: C.RTM_NEWADDR, addr: { ...a } }));
}

/**
 * A notification as the addon's Monitor delivers it: type, flags, family, and the objects the
 * real decoder makes of the message.
 */
export function addrMessage(type, a, flags = 0) {
  return { type, flags, family: a.family, objects: addrReply(a) };
}

const addrKey = (a) => `${a.index}|${a.family}|${a.local}/${a.prefixLength}`;

/** A fake kernel and the Binding over it. */
export class FakeKernel {
  /** Every native call, in order: { fn, ns, requests? , request?, args? }. */
  calls = [];
  links = new Map(); // index -> { index, name, kind, group, alias, mtu, up, parent, undeletable }
  addrs = new Map(); // addrKey -> AddrRequest fields
  monitors = [];
  #refusals = [];
  #encodeRefusals = [];
  #nextIndex = 2;

  constructor() {
    const kernel = this;
    const record = (fn, fields) => kernel.calls.push({ fn, ...fields });
    const notFaked = (fn) => () => {
      record(fn, {});
      throw new Error(`fake kernel: ${fn} is not faked`);
    };
    class Monitor {
      constructor(fd, onMessages) {
        record('Monitor', { args: [fd] });
        this.fd = fd;
        this.onMessages = onMessages;
        this.ops = [];
        kernel.monitors.push(this);
      }
      start() { this.ops.push('start'); }
      pause() { this.ops.push('pause'); }
      drop() { this.ops.push('drop'); }
      ref() { this.ops.push('ref'); }
      unref() { this.ops.push('unref'); }
      close() {
        this.ops.push('close');
        if (this.fd !== undefined) closeSync(this.fd);
        this.fd = undefined;
      }
    }
    this.binding = {
      constants: real.constants,
      linkTables: real.linkTables,
      kindTables: real.kindTables,
      portTables: real.portTables,
      contract: real.contract,
      NetnsHandle: real.NetnsHandle,
      Monitor,
      encode: (requests) => {
        record('encode', { requests });
        return real.encode(requests);
      },
      decode: (buffer) => {
        record('decode', {});
        return real.decode(buffer);
      },
      decodeError: (buffer) => {
        record('decodeError', {});
        return real.decodeError(buffer);
      },
      rtnl: (ns, requests) => {
        // The addon encodes the whole batch synchronously (throwing on a request it refuses) and
        // answers later, from another turn of the event loop.
        record('rtnl', { ns, requests: [...requests] });
        real.encode(requests);
        for (const r of requests)
          if (kernel.#encodeRefusals.some((pred) => pred(r))) throw new RangeError('fake kernel: encoder refuses this request');
        const results = requests.map((r) => kernel.#handle(r));
        return new Promise((resolve) => setImmediate(() => resolve(results)));
      },
      rtnlDump: (ns, request) => {
        real.encode(request);
        record('rtnlDump', { ns, request });
        const result = kernel.#dump(request);
        return new Promise((resolve, reject) =>
          setImmediate(() => (result instanceof Error ? reject(result) : resolve(result))),
        );
      },
      monitorOpen: (ns, groups, rcvbuf) => {
        record('monitorOpen', { ns, args: [groups, rcvbuf] });
        // A real descriptor, so lib/'s closeSync on an early close() closes something of ours.
        return Promise.resolve({ fds: [openSync('/dev/null', 'r')] });
      },
    };
    for (const fn of ['Poller', 'PacketQueue', 'tunOpen', 'sysctl', 'tapDevOpen', 'tunIoctl', 'netnsCreate', 'netnsOpen',
      'netnsDelete', 'netnsFromFd', 'netnsCurrent', 'socketOpen', 'netlink', 'socketError', 'dispatcherStats'])
      this.binding[fn] = notFaked(fn);
  }

  /** Makes binding() return this fake kernel's binding. */
  install() {
    loader.setBindingForTesting(this.binding);
    return this;
  }

  /** Back to the real addon. */
  uninstall() {
    loader.setBindingForTesting(undefined);
    for (const m of this.monitors) if (m.fd !== undefined) m.close();
  }

  /**
   * Makes the encoder refuse every request for which pred(request) holds: rtnl() then throws
   * synchronously for any batch holding one, as the addon does before sending anything.
   */
  refuseEncoding(pred) {
    this.#encodeRefusals.push(pred);
  }

  /** Refuses every request for which pred(request) holds with `code` (an errno name). */
  refuse(pred, code, extack) {
    this.#refusals.push({ pred, code, extack });
  }

  /** The requests of every rtnl call, flattened, in the order the kernel got them. */
  get requests() {
    return this.calls.filter((c) => c.fn === 'rtnl').flatMap((c) => c.requests);
  }

  /** The rtnl calls only. */
  get rtnlCalls() {
    return this.calls.filter((c) => c.fn === 'rtnl');
  }

  addLink({ name, kind, group = 0, alias, mtu = 1500, up = false, undeletable = false }) {
    const index = this.#nextIndex++;
    const l = { index, name, kind, group, alias, mtu, up, undeletable };
    this.links.set(index, l);
    return l;
  }

  addAddr(a) {
    this.addrs.set(addrKey(a), { ...a });
  }

  deleteAddr(a) {
    this.addrs.delete(addrKey(a));
  }

  /** Delivers notifications to every open monitor (as the addon's Monitor callback does). */
  notify(messages) {
    for (const m of this.monitors) if (m.fd !== undefined) m.onMessages(messages);
  }

  /** The kernel dropped notifications: the socket reports ENOBUFS. */
  overflow() {
    for (const m of this.monitors) if (m.fd !== undefined) m.onMessages(-errno.ENOBUFS);
  }

  #find(link) {
    if (link.index !== undefined) return this.links.get(link.index);
    for (const l of this.links.values()) if (l.name === link.name) return l;
    return undefined;
  }

  #handle(req) {
    for (const r of this.#refusals) if (r.pred(req)) return nativeError(r.code, r.extack);
    const flags = req.flags ?? 0;
    switch (req.type) {
      case C.RTM_NEWLINK: {
        const f = req.link;
        if (flags & C.NLM_F_CREATE) {
          if (this.#find({ name: f.name })) return nativeError('EEXIST');
          // The kernel ignores IFLA_IFALIAS at creation.
          const l = this.addLink({ name: f.name, kind: f.kind, group: f.group, mtu: f.mtu, up: f.up });
          if (f.kind === 'veth') {
            const peer = this.addLink({ name: f.peer?.name ?? `veth${l.index}`, kind: 'veth', group: f.peer?.group });
            [l.parent, peer.parent] = [peer.index, l.index];
          }
          return undefined;
        }
        const l = this.#find(f);
        if (!l) return nativeError('ENODEV');
        for (const key of ['group', 'alias', 'mtu', 'up', 'name']) if (f[key] !== undefined) l[key] = f[key];
        return undefined;
      }
      case C.RTM_GETLINK: {
        const l = this.#find(req.link);
        return l ? linkReply(l) : nativeError('ENODEV');
      }
      case C.RTM_DELLINK: {
        const f = req.link;
        if (f.index === undefined && f.name === undefined && f.group !== undefined) {
          // rtnl_group_dellink: every link of the group must be deletable, or none is deleted.
          const members = [...this.links.values()].filter((l) => l.group === f.group);
          if (members.some((l) => l.undeletable)) return nativeError('EOPNOTSUPP');
          for (const l of members) {
            this.links.delete(l.index);
            if (l.kind === 'veth') this.links.delete(l.parent);
          }
          return undefined;
        }
        const l = this.#find(f);
        if (!l) return nativeError('ENODEV');
        if (l.undeletable) return nativeError('EOPNOTSUPP');
        this.links.delete(l.index);
        if (l.kind === 'veth') this.links.delete(l.parent); // a veth pair goes as a whole
        return undefined;
      }
      case C.RTM_NEWADDR: {
        const a = req.addr;
        if (!this.links.has(a.index)) return nativeError('ENODEV');
        if (this.addrs.has(addrKey(a)) && flags & C.NLM_F_EXCL) return nativeError('EEXIST');
        this.addAddr(a);
        return undefined;
      }
      case C.RTM_DELADDR: {
        const a = req.addr;
        if (!this.addrs.has(addrKey(a))) return nativeError('EADDRNOTAVAIL');
        this.deleteAddr(a);
        return undefined;
      }
      default:
        return nativeError('EOPNOTSUPP', `fake kernel: request type ${req.type} is not modelled`);
    }
  }

  #dump(req) {
    switch (req.type) {
      case C.RTM_GETLINK:
        return [...this.links.values()].flatMap(linkReply);
      case C.RTM_GETADDR:
        return [...this.addrs.values()].flatMap(addrReply);
      default:
        return nativeError('EOPNOTSUPP', `fake kernel: dump type ${req.type} is not modelled`);
    }
  }
}

/** A fresh fake kernel, installed; given a test context, uninstalled after that test. */
export function installFakeKernel(t) {
  const kernel = new FakeKernel().install();
  t?.after(() => kernel.uninstall());
  return kernel;
}
