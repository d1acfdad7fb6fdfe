/**
 * Programs run inside a network namespace, as `ip netns exec` runs them: never through a shell,
 * arguments passed as an array. A small helper executable built with the addon (netdev-exec)
 * enters the namespace, applies `ip netns exec`'s mount behaviour for named namespaces (a private
 * mount namespace, /sys remounted, /etc/netns/NAME/* bound over /etc) and execs the program, so
 * the ChildProcess you get is the program itself (same pid).
 */
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { binding } from '../core/binding.js';
import { NetdevError, invalidType, invalidValue, nativeSync } from '../core/errors.js';
import { netnsOf, Netns, pathOf, type NetnsRef } from '../netns/netns.js';
import * as v from '../core/validate.js';

/** Options of {@link spawn}: child_process.spawn's, plus the namespace. */
export interface SpawnInNetnsOptions extends Omit<cp.SpawnOptions, 'shell'> {
  /** The namespace to run in (required). */
  netns: NetnsRef;
  /**
   * Give the program a private mount namespace with /sys remounted for the network namespace (so
   * /sys/class/net lists its links). Default: true for named namespaces (what `ip netns exec`
   * does, together with binding /etc/netns/NAME/*), false otherwise.
   */
  mountSys?: boolean;
}

let helperPath: string | undefined;

/** Where the netdev-exec helper is (next to the addon, or in the prebuilds). @internal */
export function helper(): string {
  if (helperPath) return helperPath;
  const root = path.join(__dirname, '..', '..', '..'); // dist/cjs/sys -> the package
  const candidates = [
    path.join(root, 'build', 'Release', 'netdev-exec'),
    path.join(root, 'build', 'Debug', 'netdev-exec'),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'netdev-exec'),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    const e = new Error(`netdev: the netdev-exec helper is missing (looked in ${candidates.join(', ')}); rebuild with npx node-gyp rebuild`) as Error & { code: string };
    e.code = 'ERR_NETDEV_NO_HELPER';
    throw e;
  }
  helperPath = found;
  return found;
}

/** Opens the namespace for the child: an fd, whether to close it after spawning, its name. */
function openForChild(ref: NetnsRef): { fd: number; close: boolean; name: string | null } {
  if (ref instanceof Netns) {
    if (ref.closed) throw invalidValue('options.netns', ref, 'is a closed handle');
    return { fd: ref.fd, close: false, name: ref.name };
  }
  if (typeof ref === 'object' && ref !== null && Object.hasOwn(ref, 'fd'))
    return { fd: v.integer((ref as { fd: unknown }).fd, 'options.netns.fd', 0, 2 ** 31 - 1), close: false, name: null };
  const file = pathOf(ref); // validates names, { path } and { pid }
  const name = typeof ref === 'string' ? ref : null;
  // spawn() is synchronous, so this runs on the JS thread: look before opening (a FIFO would
  // block the thread until a writer comes, a device may act on being opened), and open
  // non-blocking should the path change in between. The fd is then checked to be a network
  // namespace (nsfs, CLONE_NEWNET) by netnsFromFd. /proc/PID/ns/net is a magic link: followed.
  let fd: number;
  try {
    if (!fs.statSync(file).isFile()) throw new NetdevError({ errnum: 22, syscall: 'open', path: file, operation: 'spawn' });
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); // libuv adds O_CLOEXEC
  } catch (e) {
    if (e instanceof NetdevError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new NetdevError({ errnum: -(err.errno ?? -2), syscall: 'open', path: file, operation: 'spawn' });
  }
  try {
    binding().netnsFromFd(fd).close();
  } catch (e) {
    fs.closeSync(fd);
    const errnum = (e as { errnum?: unknown }).errnum;
    throw new NetdevError({ errnum: typeof errnum === 'number' ? errnum : 22, syscall: 'open', path: file, operation: 'spawn' });
  }
  return { fd, close: true, name };
}

/**
 * Starts `command` with `args` inside a network namespace and returns its ChildProcess (all of
 * child_process.spawn's options but `shell`). The namespace is checked before anything runs.
 * If the command cannot be executed, the child exits with 127 (not found) or 126 and says why
 * on stderr (`netdev-exec: ENOENT: COMMAND: …`).
 *
 * `ip netns exec NAME COMMAND ARGS…` / `nsenter --net=PATH COMMAND ARGS…`
 */
export function spawn(command: string, args: readonly string[] = [], options: SpawnInNetnsOptions): cp.ChildProcess {
  const cmd = v.string(command, 'command');
  if (cmd === '' || cmd.includes('\0')) throw invalidValue('command', command, 'must be a program name or path');
  const list = v.array(args, 'args', 65536, 'an array of strings');
  if (!list.every((a) => typeof a === 'string' && !a.includes('\0'))) throw invalidType('args', 'an array of strings', args);
  if (typeof options !== 'object' || options === null) throw invalidType('options', 'an object with netns', options);
  const snapshot: object = v.object(options, 'options'); // a copy of the caller's own keys, checked below
  options = snapshot as SpawnInNetnsOptions;
  if ((options as { shell?: unknown }).shell) throw invalidValue('options.shell', (options as { shell?: unknown }).shell, 'is not supported: arguments are passed as an array, never through a shell');
  if (netnsOf(options) === undefined) throw invalidValue('options.netns', undefined, 'is required');
  const netns = netnsOf(options)!; // own property only (never Object.prototype's)
  const { mountSys, ...own } = options;
  const rest = Object.fromEntries(Object.entries(own).filter(([key]) => key !== 'netns')) as Omit<SpawnInNetnsOptions, 'netns' | 'mountSys'>;
  if (mountSys !== undefined) v.bool(mountSys, 'options.mountSys');
  const given = rest.stdio ?? 'pipe';
  const stdioGiven: unknown = given;
  if (typeof stdioGiven !== 'string' && !Array.isArray(stdioGiven)) throw invalidType('options.stdio', 'a string or an array', given);
  const stdio: cp.StdioOptions = typeof given === 'string' ? [given, given, given] : [...given];
  while (stdio.length < 3) stdio.push(typeof given === 'string' ? given : 'pipe');
  const exe = helper();
  const target = openForChild(netns);
  try {
    // Fails now (ENOENT, EINVAL "not a network namespace") rather than in the child.
    nativeSync(() => { binding().netnsFromFd(target.fd).close(); }, 'spawn');
    const slot = stdio.length;
    stdio.push(target.fd);
    const helperArgs = ['--fd', String(slot)];
    if (target.name) helperArgs.push('--name', target.name);
    if (mountSys !== undefined) helperArgs.push(mountSys ? '--sys' : '--no-sys');
    return cp.spawn(exe, [...helperArgs, '--', cmd, ...(list as string[])], { ...rest, stdio, argv0: cmd, shell: false });
  } finally {
    if (target.close) fs.closeSync(target.fd);
  }
}

/** What {@link execFile} resolves with. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The exit code, or null when a signal ended the program. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link execFile}. */
export interface ExecInNetnsOptions extends Omit<SpawnInNetnsOptions, 'stdio'> {
  /** Written to the program's stdin, which is then closed. */
  input?: string | Buffer;
  /** Milliseconds before the program is killed (SIGTERM); 0 for none. */
  timeout?: number;
  /** Bytes of stdout/stderr kept at most (each). Default 16 MiB. */
  maxBuffer?: number;
}

/**
 * Runs a program in a namespace to completion and resolves with its output and exit code (a
 * non-zero exit is a result, not an error). Rejects with ENOENT when the program does not exist,
 * and with ETIMEDOUT when `timeout` ran out.
 *
 * `ip netns exec NAME COMMAND ARGS…`
 */
export function execFile(command: string, args: readonly string[] = [], options: ExecInNetnsOptions): Promise<ExecResult> {
  // A promise-returning function: bad arguments reject, they never throw.
  try {
    return run(command, args, options);
  } catch (e) {
    return Promise.reject(e);
  }
}

function run(command: string, args: readonly string[], options: ExecInNetnsOptions): Promise<ExecResult> {
  if (typeof options !== 'object' || options === null) throw invalidType('options', 'an object with netns', options);
  const snapshot: object = v.object(options, 'options'); // a copy of the caller's own keys, checked below
  options = snapshot as ExecInNetnsOptions;
  const { input, timeout = 0, maxBuffer = 16 * 1024 * 1024, ...spawnOptions } = options;
  v.integer(timeout, 'options.timeout', 0, 2 ** 31 - 1);
  v.integer(maxBuffer, 'options.maxBuffer', 1, 2 ** 31 - 1);
  const given: unknown = input;
  if (given !== undefined && typeof given !== 'string' && !(given instanceof Uint8Array))
    throw invalidType('options.input', 'a string or a Buffer', given);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout!.on('data', (c: Buffer) => {
      if (outLen < maxBuffer) out.push(c);
      outLen += c.length;
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (errLen < maxBuffer) err.push(c);
      errLen += c.length;
    });
    let timedOut = false;
    const timer = timeout > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, timeout) : undefined;
    child.once('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const stdout = Buffer.concat(out).subarray(0, maxBuffer).toString();
      const stderr = Buffer.concat(err).subarray(0, maxBuffer).toString();
      const m = /^netdev-exec: (E[A-Z0-9]+): /.exec(stderr);
      if (timedOut) reject(new NetdevError({ errnum: 110, syscall: 'spawn', operation: `execFile ${command} (timeout ${timeout} ms)` }));
      else if (m && (code === 126 || code === 127)) {
        reject(new NetdevError({ errnum: errnoOf(m[1]!), syscall: 'execvp', operation: `execFile ${command}`, path: command }));
      } else resolve({ stdout, stderr, code, signal });
    });
    // A program that exits without reading its input (true, or one that fails early) closes
    // the pipe: the write then fails EPIPE, which is the program's business, not an error of
    // execFile (and an 'error' event with no listener would end the process).
    child.stdin!.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

/** The positive errno of an error name such as 'ENOENT'. */
function errnoOf(name: string): number {
  for (const [num, [code]] of util.getSystemErrorMap()) if (code === name) return -num;
  return 2;
}
