/**
 * An OVSDB client (RFC 7047): connects to ovsdb-server's unix socket (or `tcp:IP:PORT`, opened
 * inside a namespace when one is given), transacts, monitors tables with updates as events, and
 * reconnects with backoff when the server goes away (monitors are made again; a request in flight
 * fails with `ECONNRESET`, since whether it committed is unknown).
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { connectTcp } from '../sys/sockets.js';
import type { NetnsOption } from '../netns/netns.js';
import { illegalConstructor } from '../core/errors.js';
import { OvsError, ovsdbCode } from './errors.js';
import type { Json } from './json.js';
import { JsonRpc, type RequestOptions } from './rpc.js';

/** Where ovsdb-server listens by default: `$OVS_RUNDIR/db.sock`, else Debian's `/var/run/openvswitch/db.sock`. */
export function defaultSocket(): string {
  return `${process.env.OVS_RUNDIR ?? '/var/run/openvswitch'}/db.sock`;
}

/** How to reach the server. */
export interface OvsdbConnectOptions extends NetnsOption {
  /**
   * A unix socket path (`/run/ovs/db.sock` or `unix:/run/ovs/db.sock`) or `tcp:IP:PORT`; default
   * {@link defaultSocket}. A unix path is a file: the same in every network namespace; `netns`
   * applies to `tcp:` (the connection is made from inside that namespace).
   */
  socket?: string;
  /** Milliseconds a request (and the first connection) may take; default 30,000 (0: no limit). */
  timeout?: number;
  /** Reconnect when the connection ends (default true), with backoff from 100 ms to 5 s. */
  reconnect?: boolean;
}

/** One table's monitor request: the columns (all when omitted). */
export interface MonitorRequest {
  columns?: string[];
}

/** Row changes of a monitor: table → uuid → `{ old?, new? }` (RFC 7047 section 4.1.6). */
export type TableUpdates = Record<string, Record<string, { old?: Record<string, Json>; new?: Record<string, Json> }>>;

let constructing = false;

type Target = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export function parseTarget(socket: string): Target {
  if (socket.startsWith('tcp:')) {
    const rest = socket.slice(4);
    const colon = rest.lastIndexOf(':');
    const host = rest.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(rest.slice(colon + 1));
    if (colon < 0 || !net.isIP(host) || !Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`not tcp:IP:PORT: ${socket}`);
    return { kind: 'tcp', host, port };
  }
  return { kind: 'unix', path: socket.startsWith('unix:') ? socket.slice(5) : socket };
}

/**
 * A connection to ovsdb-server. Events: `update` (monitor id, TableUpdates), `reconnect` (after the
 * connection came back and the monitors were made again; their `initial` rows are delivered as
 * updates first), `disconnect` (the error).
 */
export class OvsdbClient extends EventEmitter {
  private rpc: JsonRpc | undefined;
  private closed = false;
  private readonly monitors = new Map<string, { db: string; requests: Record<string, MonitorRequest> }>();
  private waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private backoff = 100;
  private retry: NodeJS.Timeout | undefined;

  /** @internal Clients come from {@link OvsdbClient.connect} (and {@link openOvs}). */
  constructor(
    readonly socket: string,
    private readonly target: Target,
    private readonly options: OvsdbConnectOptions,
  ) {
    if (!constructing) throw illegalConstructor('OvsdbClient', 'OvsdbClient.connect() or openOvs()');
    super();
  }

  /** Connects; rejects with `ENOENT`/`ECONNREFUSED` naming the socket when no server listens. */
  static async connect(options: OvsdbConnectOptions = {}): Promise<OvsdbClient> {
    const socket = options.socket ?? defaultSocket();
    constructing = true;
    let c: OvsdbClient;
    try {
      c = new OvsdbClient(socket, parseTarget(socket), { ...options });
    } finally {
      constructing = false;
    }
    c.attach(await c.open());
    return c;
  }

  get timeout(): number {
    return this.options.timeout ?? 30_000;
  }

  private async open(): Promise<JsonRpc> {
    const t = this.target;
    let sock: net.Socket;
    if (t.kind === 'tcp') {
      sock = await connectTcp({ host: t.host, port: t.port, ...(this.options.netns !== undefined ? { netns: this.options.netns } : {}) });
    } else {
      sock = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.createConnection(t.path);
        const timer = this.timeout ? setTimeout(() => s.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), this.timeout) : undefined;
        s.once('connect', () => {
          clearTimeout(timer);
          s.removeAllListeners('error');
          resolve(s);
        });
        s.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      }).catch((err: unknown) => {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'ENOENT' ? 'no such socket (is ovsdb-server running?)' : e.code === 'ECONNREFUSED' ? 'nothing listens on it (is ovsdb-server running?)' : 'cannot connect';
        throw new OvsError({ code: e.code ?? 'ECONNREFUSED', operation: `connect ${this.socket}`, reason: why, details: e.message, socket: this.socket, cause: e });
      });
    }
    return new JsonRpc(sock, this.socket);
  }

  private attach(rpc: JsonRpc): void {
    this.rpc = rpc;
    this.backoff = 100;
    rpc.on('notification', (method: string, params: Json[]) => {
      if (method === 'update' && typeof params[0] === 'string') this.emit('update', params[0], (params[1] ?? {}));
    });
    rpc.once('close', (e: Error | undefined) => {
      if (this.rpc === rpc) this.rpc = undefined;
      if (this.closed) return;
      this.emit('disconnect', e);
      if (this.options.reconnect === false) {
        this.closed = true;
        this.flushWaiting(e ?? new OvsError({ code: 'ECONNRESET', operation: 'connection', reason: 'the connection ended', socket: this.socket }));
        return;
      }
      this.schedule();
    });
    for (const w of this.waiting.splice(0)) w.resolve();
  }

  private schedule(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.reconnect();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, 5000);
  }

  private async reconnect(): Promise<void> {
    let rpc: JsonRpc;
    try {
      rpc = await this.open();
    } catch {
      this.schedule();
      return;
    }
    if (this.closed) {
      rpc.close();
      return;
    }
    this.attach(rpc);
    try {
      for (const [id, m] of this.monitors) this.emit('update', id, await this.monitorOn(rpc, id, m.db, m.requests, { timeout: this.timeout }));
      this.emit('reconnect');
    } catch {
      rpc.close(); // tried again by the close handler
      if (this.rpc === rpc) this.rpc = undefined;
      this.schedule();
    }
  }

  private flushWaiting(e: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  /** The live connection, waiting (within the request's limits) while it is being made again. */
  private async live(opts: RequestOptions): Promise<JsonRpc> {
    const operation = opts.operation ?? 'request';
    if (this.closed) throw new OvsError({ code: 'ECONNRESET', operation, reason: 'the client is closed', socket: this.socket });
    if (this.rpc && !this.rpc.closed) return this.rpc;
    await new Promise<void>((resolve, reject) => {
      const w = { resolve, reject };
      this.waiting.push(w);
      const drop = (e: Error): void => {
        this.waiting = this.waiting.filter((x) => x !== w);
        reject(e);
      };
      if (opts.timeout) {
        const timer = setTimeout(() => { drop(new OvsError({ code: 'ETIMEDOUT', operation, reason: `${this.socket} did not come back within ${opts.timeout} ms`, socket: this.socket })); }, opts.timeout);
        timer.unref?.();
        const done = w.resolve;
        w.resolve = () => {
          clearTimeout(timer);
          done();
        };
      }
      opts.signal?.addEventListener('abort', () => { drop(new OvsError({ code: 'ABORT_ERR', operation, reason: 'aborted', cause: opts.signal!.reason })); }, { once: true });
    });
    return this.live(opts);
  }

  /** A raw request (any method of RFC 7047 or ovsdb-server(7)). */
  async request(method: string, params: Json[], opts: RequestOptions = {}): Promise<Json> {
    const o = { timeout: this.timeout, ...opts };
    return (await this.live(o)).request(method, params, o);
  }

  /**
   * Runs operations as one transaction; resolves with their results. A failed transaction rejects
   * with an OvsError whose code is the first error's (`ERR_OVSDB_CONSTRAINT_VIOLATION`, …) and
   * whose details name the operation and the server's text.
   */
  async transact(db: string, ops: Json[], opts: RequestOptions = {}): Promise<Record<string, Json>[]> {
    const operation = opts.operation ?? `transact ${db}`;
    const result = await this.request('transact', [db, ...ops], { ...opts, operation });
    if (!Array.isArray(result)) throw new OvsError({ code: 'EPROTO', operation, reason: 'the transact reply is not a list', socket: this.socket });
    result.forEach((r, i) => {
      if (r && typeof r === 'object' && !Array.isArray(r) && typeof r.error === 'string') {
        const op = (ops[i] as Record<string, Json> | undefined)?.op;
        const where = i < ops.length ? `operation ${i + 1} (${typeof op === 'string' ? op : '?'})` : 'the commit';
        throw new OvsError({ code: ovsdbCode(r.error), operation, reason: `ovsdb-server refused ${where}`, details: [r.error, r.details].filter((x) => typeof x === 'string').join(': '), socket: this.socket, index: i });
      }
    });
    return result as Record<string, Json>[];
  }

  private async monitorOn(rpc: JsonRpc, id: string, db: string, requests: Record<string, MonitorRequest>, opts: RequestOptions): Promise<TableUpdates> {
    return (await rpc.request('monitor', [db, id, requests as unknown as Json], { ...opts, operation: `monitor ${db}` })) as TableUpdates;
  }

  /** Starts a monitor; resolves with the initial rows. Later changes arrive as `update` events. */
  async monitor(db: string, id: string, requests: Record<string, MonitorRequest>, opts: RequestOptions = {}): Promise<TableUpdates> {
    const o = { timeout: this.timeout, ...opts };
    const initial = await this.monitorOn(await this.live(o), id, db, requests, o);
    this.monitors.set(id, { db, requests });
    return initial;
  }

  /** Closes the connection for good; requests under way fail with `ECONNRESET`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.flushWaiting(new OvsError({ code: 'ECONNRESET', operation: 'close', reason: 'the client is closed', socket: this.socket }));
    this.rpc?.close();
  }
}
