/**
 * JSON-RPC 1.0 over one stream socket, as OVSDB speaks it (RFC 7047 section 4): requests matched
 * to their responses by id, the server's `echo` answered, notifications (`update`, `update2`,
 * `locked`, …) handed on. A request ends with its response, its timeout, its AbortSignal, or the
 * connection's end, whichever comes first: nothing waits forever.
 * @internal
 */
import { EventEmitter } from 'node:events';
import type * as net from 'node:net';
import { OvsError } from './errors.js';
import { JsonSplitter, parseJson, stringifyJson, type Json } from './json.js';

interface Pending {
  operation: string;
  resolve: (v: Json) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
}

/** Per-request limits. */
export interface RequestOptions {
  /** Milliseconds before the request fails with `ETIMEDOUT` (0: none). */
  timeout?: number;
  signal?: AbortSignal;
  /** What the request is for, in errors. */
  operation?: string;
}

/**
 * One connection. Events: `notification` (method, params), `close` (the error that ended it, or
 * undefined after close()).
 */
export class JsonRpc extends EventEmitter {
  private readonly splitter = new JsonSplitter();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: Error | undefined;
  private closing = false;

  constructor(
    private readonly sock: net.Socket,
    private readonly where: string,
  ) {
    super();
    sock.on('data', (chunk: Buffer) => { this.onData(chunk); });
    sock.on('error', (e: Error) => { this.end(this.connectionError(e)); });
    sock.on('close', () => { this.end(this.connectionError(undefined)); });
  }

  get closed(): boolean {
    return this.ended !== undefined;
  }

  /** Sends a request; resolves with its `result`, rejects with its `error` (an OvsError). */
  request(method: string, params: Json[], opts: RequestOptions = {}): Promise<Json> {
    const operation = opts.operation ?? method;
    if (this.ended) return Promise.reject(this.ended);
    if (opts.signal?.aborted) return Promise.reject(abortError(operation, opts.signal));
    const id = this.nextId++;
    return new Promise<Json>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        this.pending.get(id)?.cleanup();
        reject(abortError(operation, opts.signal!));
      };
      const cleanup = (): void => {
        this.pending.delete(id);
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, { operation, resolve, reject, cleanup });
      if (opts.timeout) {
        timer = setTimeout(() => {
          cleanup();
          reject(new OvsError({ code: 'ETIMEDOUT', operation, reason: `no answer from ${this.where} within ${opts.timeout} ms`, socket: this.where }));
        }, opts.timeout);
        timer.unref?.();
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.write({ method, params, id });
    });
  }

  /** Ends the connection; pending requests fail with `ECONNRESET`. */
  close(): void {
    this.closing = true;
    this.end(new OvsError({ code: 'ECONNRESET', operation: 'close', reason: 'the client closed the connection', socket: this.where }));
    this.sock.destroy();
  }

  private write(msg: object): void {
    this.sock.write(stringifyJson(msg));
  }

  private onData(chunk: Buffer): void {
    let texts;
    try {
      texts = this.splitter.push(chunk);
    } catch (e) {
      this.fail(e);
      return;
    }
    for (const t of texts) {
      let msg: Json;
      try {
        msg = parseJson(t.text, t.longIntegers);
      } catch (e) {
        this.fail(e);
        return;
      }
      this.dispatch(msg);
    }
  }

  private fail(e: unknown): void {
    this.end(new OvsError({ code: 'EPROTO', operation: 'read', reason: `${this.where} sent something that is not JSON-RPC`, details: e instanceof Error ? e.message : String(e), socket: this.where }));
    this.sock.destroy();
  }

  private dispatch(msg: Json): void {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    const { id, method } = msg;
    if (typeof method === 'string') {
      const params = Array.isArray(msg.params) ? msg.params : [];
      // The server's keep-alive: unanswered, it drops the connection.
      if (method === 'echo' && id !== null && id !== undefined) this.write({ id, result: params, error: null });
      else if (id === null || id === undefined) this.emit('notification', method, params);
      else this.write({ id, result: null, error: 'unknown method' });
      return;
    }
    if (typeof id !== 'number') return;
    const p = this.pending.get(id);
    if (!p) return; // timed out or aborted meanwhile
    p.cleanup();
    const error = msg.error;
    if (error === null || error === undefined) p.resolve(msg.result ?? null);
    else p.reject(new OvsError({ code: 'ERR_OVSDB_RPC', operation: p.operation, reason: 'the server refused the request', details: typeof error === 'string' ? error : stringifyJson(error), socket: this.where }));
  }

  private connectionError(e: NodeJS.ErrnoException | undefined): Error {
    if (this.closing) return new OvsError({ code: 'ECONNRESET', operation: 'close', reason: 'the client closed the connection', socket: this.where });
    const code = e?.code ?? 'ECONNRESET';
    return new OvsError({ code, operation: 'connection', reason: `the connection to ${this.where} ended`, ...(e ? { details: e.message, cause: e } : {}), socket: this.where });
  }

  private end(e: Error): void {
    if (this.ended) return;
    this.ended = e;
    for (const p of [...this.pending.values()]) {
      p.cleanup();
      p.reject(e);
    }
    this.emit('close', this.closing ? undefined : e);
  }
}

function abortError(operation: string, signal: AbortSignal): OvsError {
  return new OvsError({ code: 'ABORT_ERR', operation, reason: 'aborted', cause: signal.reason });
}
