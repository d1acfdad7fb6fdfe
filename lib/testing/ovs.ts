/**
 * A private Open vSwitch for a test: its own ovsdb-server and ovs-vswitchd, in a run directory of
 * their own (and in a namespace, for a simulated "host"), that die with the test process even
 * when it is SIGKILLed (each daemon runs under `setpriv --pdeathsig KILL`, as a child of this
 * process, never detached; a SIGKILL leaves only the run directory).
 */
import * as cp from 'node:child_process';
import * as net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOvs, spawn, type NetnsRef, type OvsClient } from '../index.js';
import { invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';

/** Options of {@link startOvs}. */
export interface StartOvsOptions {
  /** Run the daemons inside this namespace (each namespace its own "host" with its own OVS). */
  netns?: NetnsRef;
  /** The schema to create the database from; default Debian's `/usr/share/openvswitch/vswitch.ovsschema`. */
  schema?: string;
  /** Milliseconds the daemons may take to come up (default 20,000). */
  timeout?: number;
}

/** A running private Open vSwitch. */
export interface PrivateOvs {
  /** Its run directory (database, sockets, logs). */
  readonly dir: string;
  /** ovsdb-server's socket: pass it to `openOvs({ socket })` (or `ovs-vsctl --db=unix:…`). */
  readonly socket: string;
  /** A client connected to it (closed by stop()). */
  readonly client: OvsClient;
  /** The environment an `ovs-vsctl`/`ovs-appctl` of this instance needs (OVS_RUNDIR…). */
  readonly env: Record<string, string>;
  /** ovs-vswitchd's log so far (for a failing test's message). */
  log(): string;
  /**
   * Kills ovsdb-server (SIGKILL, as a crash would) and starts it again on the same database and
   * socket; resolves once it accepts connections. Clients reconnect on their own.
   */
  restartServer(): Promise<void>;
  /** Stops both daemons, waits until they are gone, and removes the run directory. */
  stop(): Promise<void>;
}

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

function daemon(cmd: string, args: string[], netns: NetnsRef | undefined, env: Record<string, string>): cp.ChildProcess {
  // setpriv sets the parent-death signal and execs the daemon, which keeps it across exec.
  const argv = ['--pdeathsig', 'KILL', '--', cmd, ...args];
  const options = { stdio: 'ignore' as const, env: { ...process.env, ...env } };
  return netns === undefined ? cp.spawn('setpriv', argv, options) : spawn('setpriv', argv, { ...options, netns });
}

function exited(child: cp.ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => { resolve(); }));
}

/**
 * Starts ovsdb-server and ovs-vswitchd in a fresh run directory (in `netns` when given), makes
 * the database's Open_vSwitch row, waits until ovs-vswitchd has caught up, and resolves with a
 * connected client. Rejects (with everything started stopped again) if either does not come up
 * within the timeout. Needs the Debian package `openvswitch-switch` (its daemons, not its service).
 *
 * ```ts
 * const ovs = await startOvs({ netns: host1 });
 * try { await ovs.client.addBridge('br-in'); … } finally { await ovs.stop(); }
 * ```
 */
export async function startOvs(options: StartOvsOptions = {}): Promise<PrivateOvs> {
  options = v.options(options, 'options', ['netns', 'schema', 'timeout']);
  const schema = options.schema === undefined ? SCHEMA : v.string(options.schema, 'options.schema', 4095, 1);
  const timeout = options.timeout === undefined ? 20_000 : v.integer(options.timeout, 'options.timeout', 1, 2 ** 31 - 1);
  if (!existsSync(schema)) throw invalidValue('options.schema', schema, 'does not exist (install the Debian package openvswitch-switch)');
  const dir = mkdtempSync(join(tmpdir(), 'netdev-ovs-'));
  const socket = join(dir, 'db.sock');
  const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  const children: cp.ChildProcess[] = [];
  let serverArgs: string[] = [];
  let client: OvsClient | undefined;
  const stop = async (): Promise<void> => {
    client?.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    const gone = Promise.all(children.map(exited));
    const late = setTimeout(() => {
      for (const c of children) c.kill('SIGKILL');
    }, 5000);
    await gone;
    clearTimeout(late);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const made = cp.spawnSync('ovsdb-tool', ['create', join(dir, 'conf.db'), schema], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (made.status !== 0) throw new Error(`ovsdb-tool create failed: ${made.error?.message ?? made.stderr}`);
    const flags = (name: string): string[] => [`--unixctl=${join(dir, `${name}.ctl`)}`, `--log-file=${join(dir, `${name}.log`)}`, '--no-chdir', '-vconsole:off'];
    serverArgs = [join(dir, 'conf.db'), `--remote=punix:${socket}`, ...flags('ovsdb-server')];
    children.push(daemon('ovsdb-server', serverArgs, options.netns, env));
    const deadline = Date.now() + timeout;
    while (!client) {
      try {
        client = await openOvs({ socket, timeout });
      } catch (e) {
        if (children[0]!.exitCode !== null || Date.now() > deadline) throw new Error(`ovsdb-server did not come up: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await client.init({ noWait: true });
    children.push(daemon('ovs-vswitchd', [`unix:${socket}`, ...flags('ovs-vswitchd')], options.netns, env));
    await client.init(); // resolves once ovs-vswitchd has read the configuration
  } catch (e) {
    const log = join(dir, 'ovs-vswitchd.log');
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-10).join('\n') : '';
    await stop();
    throw tail ? new Error(`${e instanceof Error ? e.message : String(e)}\novs-vswitchd.log:\n${tail}`, { cause: e }) : e;
  }
  const c = client;
  return {
    dir,
    socket,
    client: c,
    env,
    log: () => {
      try {
        return readFileSync(join(dir, 'ovs-vswitchd.log'), 'utf8');
      } catch {
        return '';
      }
    },
    restartServer: async () => {
      const old = children[0]!;
      old.kill('SIGKILL');
      await exited(old);
      children[0] = daemon('ovsdb-server', serverArgs, options.netns, env);
      const deadline = Date.now() + timeout;
      for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
          const s = net.createConnection(socket);
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => { resolve(false); });
        });
        if (ok) return;
        if (children[0].exitCode !== null || Date.now() > deadline) throw new Error('ovsdb-server did not come back');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop,
  };
}
