/**
 * TCP and UDP sockets created inside a namespace and handed to Node as ordinary `net.Server`,
 * `net.Socket` and `dgram.Socket` objects. A socket stays in the namespace it was created in, so
 * a program (or a test) can talk between namespaces without spawning anything.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { binding, k, type SocketSpec } from '../core/binding.js';
import { NetdevError, invalidType, invalidValue, native } from '../core/errors.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import * as v from '../core/validate.js';

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve) => { fs.close(fd, () => { resolve(); }); });
}

/**
 * Opens a socket inside the namespace of `netns` (bound and/or connecting as spec says). The addon
 * keeps it on record: a worker that ends before the socket is wrapped (or closed) closes it.
 */
async function openIn(netns: NetnsOption['netns'], spec: SocketSpec, operation: string): Promise<number> {
  const { ns, release } = resolveNetns(netns);
  try {
    return await native(binding().socketOpen(ns, spec), operation);
  } finally {
    release();
  }
}

/**
 * Hands a socket fd to the Node object `make()` creates, through `start(handle, ready)` (listen or
 * bind with `{ fd }`), and resolves with it once it is ready. If Node refuses the object or the fd,
 * the object is closed and the fd, still ours, too.
 */
async function adopt<T extends net.Server | dgram.Socket>(fd: number, make: () => T, start: (handle: T, ready: () => void) => void): Promise<T> {
  let handle: T | undefined;
  try {
    const h = make();
    handle = h;
    await new Promise<void>((resolve, reject) => {
      h.once('error', reject);
      start(h, () => {
        h.off('error', reject);
        resolve();
      });
    });
    return h;
  } catch (e) {
    handle?.close();
    await closeFd(fd);
    throw e;
  }
}

function family(host: string, arg: string): 4 | 6 {
  v.noZone(host, arg);
  const f = net.isIP(host);
  if (f !== 4 && f !== 6) throw invalidValue(arg, host, 'must be an IP address (no host names: there is no resolver inside a namespace)');
  return f;
}

/** Options of {@link createTcpServer}. */
export interface TcpServerOptions extends NetnsOption {
  /** Port to listen on; 0 (default) picks a free one (read it from `server.address()`). */
  port?: number;
  /** Address to bind; default '0.0.0.0'. Use '::' for IPv6 (dual-stack unless ipv6Only). */
  host?: string;
  ipv6Only?: boolean;
  backlog?: number;
}

/**
 * Creates a TCP server listening inside a namespace. Resolves once it is listening.
 *
 * `ip netns exec NS <server listening on HOST:PORT>`
 */
export async function createTcpServer(
  options: TcpServerOptions = {},
  connectionListener?: (socket: net.Socket) => void,
): Promise<net.Server> {
  options = v.options(options, 'options', ['netns', 'port', 'host', 'ipv6Only', 'backlog']);
  // Checked before the socket is opened (net.createServer would refuse it after: one fd lost).
  if (connectionListener !== undefined && typeof connectionListener !== 'function')
    throw invalidType('connectionListener', 'a function', connectionListener);
  const host = options.host === undefined ? '0.0.0.0' : v.string(options.host, 'options.host');
  const f = family(host, 'options.host');
  const port = options.port === undefined ? 0 : v.port(options.port, 'options.port');
  const backlog = options.backlog === undefined ? 511 : v.integer(options.backlog, 'options.backlog', 1, 65535);
  const v6Only = options.ipv6Only === undefined ? false : v.bool(options.ipv6Only, 'options.ipv6Only');
  const fd = await openIn(
    netnsOf(options),
    { family: k(f === 4 ? 'AF_INET' : 'AF_INET6'), type: k('SOCK_STREAM'), bindAddress: host, bindPort: port, reuseAddr: true, v6Only },
    `createTcpServer ${host}:${port}`,
  );
  return adopt(fd, () => net.createServer(connectionListener), (s, ready) => s.listen({ fd, backlog }, ready));
}

/** Options of {@link connectTcp}. */
export interface TcpConnectOptions extends NetnsOption {
  host: string;
  port: number;
  /** Local address to bind before connecting. */
  localAddress?: string;
  /** Give up after this many milliseconds (ETIMEDOUT). Default 10000. */
  timeout?: number;
}

/**
 * Opens a TCP connection from inside a namespace. Resolves with a connected `net.Socket`.
 *
 * `ip netns exec NS <client connecting to HOST:PORT>`
 */
export async function connectTcp(options: TcpConnectOptions): Promise<net.Socket> {
  options = v.options(options, 'options', ['netns', 'host', 'port', 'localAddress', 'timeout']);
  const host = v.string(options.host, 'options.host');
  const f = family(host, 'options.host');
  const port = v.integer(options.port, 'options.port', 1, 65535);
  const local = options.localAddress === undefined ? undefined : v.ip(options.localAddress, 'options.localAddress', f);
  const timeout = options.timeout === undefined ? 10000 : v.integer(options.timeout, 'options.timeout', 1, 2 ** 31 - 1);
  const fd = await openIn(
    netnsOf(options),
    {
      family: k(f === 4 ? 'AF_INET' : 'AF_INET6'),
      type: k('SOCK_STREAM'),
      ...(local !== undefined ? { bindAddress: local, bindPort: 0 } : {}),
      connectAddress: host,
      connectPort: port,
    },
    `connectTcp ${host}:${port}`,
  );
  // Wait for the non-blocking connect to finish: the socket turns writable.
  const b = binding();
  const poller = new b.Poller(fd);
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => { reject(new NetdevError({ errnum: 110, syscall: 'connect', operation: `connectTcp ${host}:${port}` })); }, timeout);
      poller.start(k('UV_WRITABLE') | k('UV_DISCONNECT'), (status) => {
        // On POLLERR libuv reports UV_EBADF: the real reason is the socket's pending SO_ERROR.
        const err = b.socketError(fd) || (status < 0 ? -status : 0);
        if (err) reject(new NetdevError({ errnum: err, syscall: 'connect', operation: `connectTcp ${host}:${port}` }));
        else resolve();
      });
    });
  } catch (e) {
    poller.close();
    clearTimeout(timer);
    await closeFd(fd);
    throw e;
  }
  poller.close();
  clearTimeout(timer);
  return new net.Socket({ fd, readable: true, writable: true });
}

/** Options of {@link createUdpSocket}. */
export interface UdpSocketOptions extends NetnsOption {
  type: 'udp4' | 'udp6';
  /** Port to bind; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind; default the wildcard of the type. */
  address?: string;
  reuseAddr?: boolean;
}

/**
 * Creates a bound UDP socket inside a namespace.
 *
 * `ip netns exec NS <UDP socket bound to ADDRESS:PORT>`
 */
export async function createUdpSocket(options: UdpSocketOptions): Promise<dgram.Socket> {
  options = v.options(options, 'options', ['netns', 'type', 'port', 'address', 'reuseAddr']);
  const type = options.type;
  if (type !== 'udp4' && type !== 'udp6') throw invalidValue('options.type', type, "must be 'udp4' or 'udp6'");
  const f = type === 'udp4' ? 4 : 6;
  const address = options.address === undefined ? (f === 4 ? '0.0.0.0' : '::') : v.ip(options.address, 'options.address', f);
  const port = options.port === undefined ? 0 : v.port(options.port, 'options.port');
  const reuseAddr = options.reuseAddr === undefined ? false : v.bool(options.reuseAddr, 'options.reuseAddr');
  const fd = await openIn(
    netnsOf(options),
    { family: k(f === 4 ? 'AF_INET' : 'AF_INET6'), type: k('SOCK_DGRAM'), bindAddress: address, bindPort: port, reuseAddr },
    `createUdpSocket ${address}:${port}`,
  );
  return adopt(fd, () => dgram.createSocket({ type }), (s, ready) => s.bind({ fd }, ready));
}
