/**
 * Open vSwitch without ovs-vsctl: the verbs of `ovs-vsctl` over an OVSDB connection. The client
 * keeps a replica of the Open_vSwitch, Bridge, Port and Interface tables (a monitor, as
 * ovs-vsctl's IDL does), plans each verb from it, and sends it as one transaction that verifies
 * what it relied on (`wait` operations), bumps `next_cfg`, and then waits until ovs-vswitchd has
 * applied it (`cur_cfg`), checking the interfaces it made (`ofport`, `error`): a device the daemon
 * could not create is an error here, and the port is removed again.
 */
import { existsSync } from 'node:fs';
import { illegalConstructor, invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';
import { mapOf, namedUuid, numberMapOf, optional, setOf, text, toMap, toSet, uuid } from './datum.js';
import { OvsError } from './errors.js';
import type { Json } from './json.js';
import { OvsdbClient, type OvsdbConnectOptions, type TableUpdates } from './ovsdb.js';

const DB = 'Open_vSwitch';
const TABLES = ['Open_vSwitch', 'Bridge', 'Port', 'Interface'] as const;
type Table = (typeof TABLES)[number];
type Row = Record<string, Json>;

/** Options of {@link openOvs}. */
export interface OpenOvsOptions extends OvsdbConnectOptions {
  /** Do not wait for ovs-vswitchd to apply changes (`ovs-vsctl --no-wait`), unless a call asks to. */
  noWait?: boolean;
}

/** Options every changing verb takes. */
export interface OvsWaitOptions {
  /** Return once the database has the change, without waiting for ovs-vswitchd (`--no-wait`). */
  noWait?: boolean;
  signal?: AbortSignal;
}

/** A bridge as the database has it. */
export interface OvsBridge {
  uuid: string;
  name: string;
  /** Its ports' names, sorted (the bridge's own internal port included). */
  ports: string[];
  /** `netdev` (userspace) or `system` (the kernel's datapath; `''` in the database). */
  datapathType: string;
  externalIds: Record<string, string>;
  otherConfig: Record<string, string>;
}

/** A port as the database has it. */
export interface OvsPort {
  uuid: string;
  name: string;
  /** The bridge it is on (undefined for a row no bridge references yet). */
  bridge?: string;
  interfaces: string[];
  /** The access VLAN (`tag`), when set. */
  tag?: number;
  trunks: number[];
  vlanMode?: VlanMode;
  externalIds: Record<string, string>;
}

/** An interface as the database has it (what ovs-vswitchd wrote back included). */
export interface OvsInterface {
  uuid: string;
  name: string;
  /** `''` (a system device), `internal`, `tap`, `patch`, `gre`, `vxlan`, `geneve`, … */
  type: string;
  options: Record<string, string>;
  /** The OpenFlow port number; -1 when ovs-vswitchd could not make the device. */
  ofport?: number;
  /** Why ovs-vswitchd could not make the device. */
  error?: string;
  mtu?: number;
  mtuRequest?: number;
  linkState?: string;
  adminState?: string;
  macInUse?: string;
  /** Counters (integers past 2^53 are bigint). */
  statistics: Record<string, number | bigint>;
  externalIds: Record<string, string>;
}

/** What {@link OvsClient.show} returns: the tree `ovs-vsctl show` prints, and that text. */
export interface OvsShow {
  uuid: string;
  ovsVersion?: string;
  bridges: (OvsBridge & { portList: (OvsPort & { interfaceList: OvsInterface[] })[] })[];
  /** As `ovs-vsctl show` prints it. */
  text: string;
}

export type VlanMode = 'access' | 'native-tagged' | 'native-untagged' | 'trunk' | 'dot1q-tunnel';
const VLAN_MODES: readonly VlanMode[] = ['access', 'native-tagged', 'native-untagged', 'trunk', 'dot1q-tunnel'];

/** Interface types and the options netdev lets through for each (vswitch.xml). */
const TUNNEL_OPTIONS = ['remote_ip', 'local_ip', 'key', 'in_key', 'out_key', 'dst_port', 'tos', 'ttl', 'df_default', 'csum', 'egress_pkt_mark', 'packet_type'];
const INTERFACE_TYPES: Readonly<Record<string, readonly string[]>> = {
  '': [],
  system: [],
  internal: [],
  tap: [],
  patch: ['peer'],
  gre: [...TUNNEL_OPTIONS, 'seq'],
  ip6gre: [...TUNNEL_OPTIONS, 'seq'],
  vxlan: [...TUNNEL_OPTIONS, 'exts'],
  geneve: TUNNEL_OPTIONS,
  erspan: [...TUNNEL_OPTIONS, 'erspan_idx', 'erspan_ver', 'erspan_dir', 'erspan_hwid'],
  ip6erspan: [...TUNNEL_OPTIONS, 'erspan_idx', 'erspan_ver', 'erspan_dir', 'erspan_hwid'],
  gtpu: TUNNEL_OPTIONS,
  bareudp: [...TUNNEL_OPTIONS, 'payload_type'],
  stt: TUNNEL_OPTIONS,
};

/** Options of {@link OvsClient.addBridge}. */
export interface AddBridgeOptions extends OvsWaitOptions {
  /** No error if the bridge exists (`--may-exist`). */
  mayExist?: boolean;
  /**
   * `netdev` (the userspace datapath) or `system` (the kernel's). Default: `system` when the
   * kernel has the openvswitch module (`/sys/module/openvswitch`), else `netdev`.
   */
  datapathType?: 'netdev' | 'system';
}

/** Options of {@link OvsClient.addPort}. */
export interface AddPortOptions extends OvsWaitOptions {
  /** The access VLAN (0-4095): `tag=N`. */
  tag?: number;
  /** VLANs a trunk port carries: `trunks=10,11`. */
  trunks?: number[];
  vlanMode?: VlanMode;
  /** The interface's type: `type=internal`, `patch`, `gre`, `vxlan`, `geneve`, `tap`, … */
  type?: string;
  /** The interface's options: `options:remote_ip=… options:key=…`, `options:peer=…`. */
  options?: Record<string, string | number>;
  /** `mtu_request=1450`. */
  mtuRequest?: number;
  /** No error if the port is already on this bridge (`--may-exist`). */
  mayExist?: boolean;
}

/** Options of {@link OvsClient.setPort}: null removes a setting. */
export interface SetPortOptions extends OvsWaitOptions {
  tag?: number | null;
  trunks?: number[] | null;
  vlanMode?: VlanMode | null;
}

/** Options of {@link OvsClient.setInterface}. */
export interface SetInterfaceOptions extends OvsWaitOptions {
  type?: string;
  /** Replaces the interface's options. */
  options?: Record<string, string | number>;
  mtuRequest?: number | null;
}

// --- validation -------------------------------------------------------------------------------

const name = (x: unknown, arg: string): string => v.ifname(x, arg);
const vlan = (x: unknown, arg: string): number => v.integer(x, arg, 0, 4095);

function vlanModeOf(x: unknown, arg: string): VlanMode {
  if (typeof x !== 'string' || !(VLAN_MODES as readonly string[]).includes(x)) throw invalidValue(arg, x, `must be one of ${VLAN_MODES.join(', ')}`);
  return x as VlanMode;
}

function typeOf(x: unknown, arg: string): string {
  if (typeof x !== 'string') throw invalidType(arg, 'of type string', x);
  if (!Object.hasOwn(INTERFACE_TYPES, x)) throw invalidValue(arg, x, `must be an interface type: ${Object.keys(INTERFACE_TYPES).filter(Boolean).join(', ')}`);
  return x;
}

function optionsOf(x: unknown, type: string, arg: string): Record<string, string> {
  const o = v.object(x, arg);
  const allowed = INTERFACE_TYPES[type] ?? [];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(o)) {
    if (!allowed.includes(key)) throw invalidValue(`${arg}.${key}`, value, allowed.length ? `is not an option of type '${type || 'system'}' (${allowed.join(', ')})` : `: type '${type || 'system'}' takes no options`);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) out[key] = String(value);
    else if (typeof value === 'string' && value.length > 0 && value.length <= 255 && !/[\0\n]/.test(value)) out[key] = value;
    else throw invalidValue(`${arg}.${key}`, value, 'must be a non-empty string or a non-negative integer');
  }
  if (type === 'patch' && out.peer === undefined) throw invalidValue(`${arg}.peer`, undefined, "is required for a patch port (the other patch port's name)");
  if (type === 'patch') name(out.peer, `${arg}.peer`);
  if (type !== 'patch' && allowed.length && out.remote_ip === undefined) throw invalidValue(`${arg}.remote_ip`, undefined, `is required for a ${type} port (an IP address, or 'flow')`);
  if (out.remote_ip !== undefined && out.remote_ip !== 'flow') v.ip(out.remote_ip, `${arg}.remote_ip`);
  if (out.local_ip !== undefined && out.local_ip !== 'flow') v.ip(out.local_ip, `${arg}.local_ip`);
  if (out.dst_port !== undefined) v.integer(Number(out.dst_port), `${arg}.dst_port`, 1, 65535);
  return out;
}

const mtuOf = (x: unknown, arg: string): number => v.integer(x, arg, 68, 65535);

// --- the client -------------------------------------------------------------------------------

/** A session with ovsdb-server and, through it, ovs-vswitchd. Made by {@link openOvs}. */
export class OvsClient {
  private readonly tables: Record<Table, Map<string, Row>> = { Open_vSwitch: new Map(), Bridge: new Map(), Port: new Map(), Interface: new Map() };
  /** Checks run after every replica change (waits for cur_cfg and the like). */
  private readonly cfgWaiters = new Set<() => void>();

  /** @internal Clients come from {@link openOvs}. */
  constructor(
    /** The OVSDB connection (a raw transact for everything the verbs do not cover). */
    readonly db: OvsdbClient,
    private readonly noWaitDefault: boolean,
  ) {
    if (!constructing) throw illegalConstructor('OvsClient', 'openOvs()');
    db.on('update', (id: string, updates: TableUpdates) => {
      if (id === MONITOR) this.apply(updates, false);
    });
    db.on('reconnect', () => { this.wake(); });
  }

  /** @internal */
  async start(): Promise<void> {
    const initial = await this.db.monitor(DB, MONITOR, Object.fromEntries(TABLES.map((t) => [t, {}])), { operation: 'monitor Open_vSwitch' });
    this.apply(initial, true);
  }

  private apply(updates: TableUpdates, initial: boolean): void {
    if (initial) for (const t of TABLES) this.tables[t].clear();
    for (const t of TABLES) {
      const rows = updates[t];
      if (!rows) continue;
      for (const [id, change] of Object.entries(rows)) {
        if (change.new === undefined) this.tables[t].delete(id);
        else this.tables[t].set(id, { ...(this.tables[t].get(id) ?? {}), ...change.new });
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.cfgWaiters]) w();
  }

  private root(operation: string): [string, Row] {
    const first = this.tables.Open_vSwitch.entries().next();
    if (first.done) throw new OvsError({ code: 'ENOENT', operation, reason: 'the database has no Open_vSwitch row (run `ovs-vsctl init` once)', socket: this.db.socket });
    return first.value;
  }

  private byName(t: 'Bridge' | 'Port' | 'Interface', n: string): [string, Row] | undefined {
    for (const [id, row] of this.tables[t]) if (row.name === n) return [id, row];
    return undefined;
  }

  private bridgeOfPort(portUuid: string): [string, Row] | undefined {
    for (const [id, row] of this.tables.Bridge) if (setOf(row.ports).includes(portUuid)) return [id, row];
    return undefined;
  }

  // --- reading ---

  /** The bridges' names, sorted. `ovs-vsctl list-br` */
  async listBridges(): Promise<string[]> {
    return [...this.tables.Bridge.values()].map((r) => text(r.name)).sort();
  }

  /** Whether a bridge of that name exists. `ovs-vsctl br-exists NAME` */
  async bridgeExists(bridge: string): Promise<boolean> {
    return this.byName('Bridge', name(bridge, 'bridge')) !== undefined;
  }

  /** The ports of a bridge, sorted, without the bridge's own internal port. `ovs-vsctl list-ports BR` */
  async listPorts(bridge: string): Promise<string[]> {
    const br = this.mustBridge(name(bridge, 'bridge'), `listPorts ${bridge}`);
    return setOf(br[1].ports)
      .map((p) => text(this.tables.Port.get(String(p))?.name))
      .filter((n) => n !== '' && n !== bridge)
      .sort();
  }

  /** The bridge a port is on. `ovs-vsctl port-to-br PORT` */
  async portToBridge(port: string): Promise<string> {
    const operation = `portToBridge ${port}`;
    const p = this.byName('Port', name(port, 'port'));
    const br = p && this.bridgeOfPort(p[0]);
    if (!br) throw new OvsError({ code: 'ENOENT', operation, reason: `no port named ${port}`, socket: this.db.socket });
    return text(br[1].name);
  }

  /** A bridge's row. `ovs-vsctl list Bridge NAME` */
  async getBridge(bridge: string): Promise<OvsBridge> {
    return this.bridgeOf(...this.mustBridge(name(bridge, 'bridge'), `getBridge ${bridge}`));
  }

  /** A port's row. `ovs-vsctl list Port NAME` */
  async getPort(port: string): Promise<OvsPort> {
    const p = this.byName('Port', name(port, 'port'));
    if (!p) throw new OvsError({ code: 'ENOENT', operation: `getPort ${port}`, reason: `no port named ${port}`, socket: this.db.socket });
    return this.portOf(...p);
  }

  /** An interface's row. `ovs-vsctl list Interface NAME` */
  async getInterface(iface: string): Promise<OvsInterface> {
    const i = this.byName('Interface', name(iface, 'interface'));
    if (!i) throw new OvsError({ code: 'ENOENT', operation: `getInterface ${iface}`, reason: `no interface named ${iface}`, socket: this.db.socket });
    return this.interfaceOf(...i);
  }

  /** Every row of a table, typed. `ovs-vsctl list Bridge|Port|Interface` */
  async list(table: 'Bridge'): Promise<OvsBridge[]>;
  async list(table: 'Port'): Promise<OvsPort[]>;
  async list(table: 'Interface'): Promise<OvsInterface[]>;
  async list(table: 'Bridge' | 'Port' | 'Interface'): Promise<(OvsBridge | OvsPort | OvsInterface)[]> {
    if (table !== 'Bridge' && table !== 'Port' && table !== 'Interface') throw invalidValue('table', table, "must be 'Bridge', 'Port' or 'Interface'");
    const of = (id: string, row: Row): OvsBridge | OvsPort | OvsInterface =>
      table === 'Bridge' ? this.bridgeOf(id, row) : table === 'Port' ? this.portOf(id, row) : this.interfaceOf(id, row);
    return [...this.tables[table]].map(([id, row]) => of(id, row)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The whole configuration as a tree, and as `ovs-vsctl show` prints it. `ovs-vsctl show` */
  async show(): Promise<OvsShow> {
    const [rootId, root] = this.root('show');
    const bridges = setOf(root.bridges)
      .map((id) => this.tables.Bridge.get(String(id)) && this.bridgeOf(String(id), this.tables.Bridge.get(String(id))!))
      .filter((b): b is OvsBridge => b !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((b) => {
        const row = this.tables.Bridge.get(b.uuid)!;
        const portList = setOf(row.ports)
          .map((id) => this.tables.Port.get(String(id)) && this.portOf(String(id), this.tables.Port.get(String(id))!))
          .filter((p): p is OvsPort => p !== undefined)
          .sort((x, y) => (x.name < y.name ? -1 : 1))
          .map((p) => ({
            ...p,
            interfaceList: setOf(this.tables.Port.get(p.uuid)!.interfaces)
              .map((id) => this.tables.Interface.get(String(id)) && this.interfaceOf(String(id), this.tables.Interface.get(String(id))!))
              .filter((i): i is OvsInterface => i !== undefined),
          }));
        return { ...b, portList };
      });
    const version = optional(root.ovs_version);
    const lines = [rootId];
    for (const b of bridges) {
      lines.push(`    Bridge ${quote(b.name)}`);
      if (b.datapathType !== 'system') lines.push(`        datapath_type: ${b.datapathType}`);
      for (const p of b.portList) {
        lines.push(`        Port ${quote(p.name)}`);
        if (p.tag !== undefined) lines.push(`            tag: ${p.tag}`);
        if (p.trunks.length) lines.push(`            trunks: [${p.trunks.join(', ')}]`);
        if (p.vlanMode !== undefined) lines.push(`            vlan_mode: ${p.vlanMode}`);
        for (const i of p.interfaceList) {
          lines.push(`            Interface ${quote(i.name)}`);
          if (i.type) lines.push(`                type: ${i.type}`);
          const opts = Object.entries(i.options);
          if (opts.length) lines.push(`                options: {${opts.map(([k, x]) => `${k}=${quote(x)}`).join(', ')}}`);
          if (i.error) lines.push(`                error: ${JSON.stringify(i.error)}`);
        }
      }
    }
    if (version !== undefined) lines.push(`    ovs_version: ${JSON.stringify(String(version))}`);
    const out: OvsShow = { uuid: rootId, bridges, text: `${lines.join('\n')}\n` };
    if (version !== undefined) out.ovsVersion = String(version);
    return out;
  }

  private bridgeOf(id: string, row: Row): OvsBridge {
    const dp = String(optional(row.datapath_type) ?? '');
    return {
      uuid: id,
      name: text(row.name),
      ports: setOf(row.ports).map((p) => text(this.tables.Port.get(String(p))?.name)).filter(Boolean).sort(),
      datapathType: dp === '' ? 'system' : dp,
      externalIds: mapOf(row.external_ids),
      otherConfig: mapOf(row.other_config),
    };
  }

  private portOf(id: string, row: Row): OvsPort {
    const p: OvsPort = {
      uuid: id,
      name: text(row.name),
      interfaces: setOf(row.interfaces).map((i) => text(this.tables.Interface.get(String(i))?.name)).filter(Boolean).sort(),
      trunks: setOf(row.trunks).map(Number).sort((a, b) => a - b),
      externalIds: mapOf(row.external_ids),
    };
    const br = this.bridgeOfPort(id);
    if (br) p.bridge = text(br[1].name);
    const tag = optional(row.tag);
    if (tag !== undefined) p.tag = Number(tag);
    const mode = optional(row.vlan_mode);
    if (mode !== undefined) p.vlanMode = String(mode) as VlanMode;
    return p;
  }

  private interfaceOf(id: string, row: Row): OvsInterface {
    const i: OvsInterface = {
      uuid: id,
      name: text(row.name),
      type: text(row.type),
      options: mapOf(row.options),
      statistics: numberMapOf(row.statistics),
      externalIds: mapOf(row.external_ids),
    };
    const num = (k: 'ofport' | 'mtu' | 'mtuRequest', x: Json | undefined): void => {
      const a = optional(x);
      if (a !== undefined) i[k] = Number(a);
    };
    num('ofport', row.ofport);
    num('mtu', row.mtu);
    num('mtuRequest', row.mtu_request);
    const str = (k: 'error' | 'linkState' | 'adminState' | 'macInUse', x: Json | undefined): void => {
      const a = optional(x);
      if (a !== undefined) i[k] = String(a);
    };
    str('error', row.error);
    str('linkState', row.link_state);
    str('adminState', row.admin_state);
    str('macInUse', row.mac_in_use);
    return i;
  }

  private mustBridge(bridge: string, operation: string): [string, Row] {
    const br = this.byName('Bridge', bridge);
    if (!br) throw new OvsError({ code: 'ENOENT', operation, reason: `no bridge named ${bridge}`, socket: this.db.socket });
    return br;
  }

  // --- changing ---

  /**
   * Sends ops with the next_cfg bump, then waits for ovs-vswitchd (unless noWait), and checks the
   * interfaces named in `check`. Resolves with the transaction's results.
   */
  private async change(operation: string, ops: Json[], opts: OvsWaitOptions, check: string[] = []): Promise<Record<string, Json>[]> {
    const [rootId] = this.root(operation);
    const all = [
      ...ops,
      { op: 'mutate', table: 'Open_vSwitch', where: [['_uuid', '==', uuid(rootId)]], mutations: [['next_cfg', '+=', 1]] },
      { op: 'select', table: 'Open_vSwitch', where: [['_uuid', '==', uuid(rootId)]], columns: ['next_cfg'] },
    ];
    const results = await this.db.transact(DB, all, { operation, ...(opts.signal ? { signal: opts.signal } : {}) });
    const sel = results[all.length - 1]?.rows;
    const next = Array.isArray(sel) ? Number((sel[0] as Row | undefined)?.next_cfg) : NaN;
    if (!(opts.noWait ?? this.noWaitDefault) && Number.isFinite(next)) {
      await this.waitCfg(next, operation, opts.signal);
      for (const n of check) this.checkInterface(n, operation);
    }
    return results;
  }

  /** Resolves once ovs-vswitchd reports cur_cfg >= next (bounded by the client's timeout). */
  private async waitCfg(next: number, operation: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.until(() => Number(this.tables.Open_vSwitch.values().next().value?.cur_cfg ?? -1) >= next, operation, signal);
    } catch (e) {
      if (e instanceof OvsError && e.code === 'ETIMEDOUT')
        throw new OvsError({ code: 'ETIMEDOUT', operation, reason: `ovs-vswitchd did not apply the change within ${this.db.timeout} ms (is it running? the database has the change)`, socket: this.db.socket });
      throw e;
    }
  }

  private checkInterface(iface: string, operation: string): void {
    const i = this.byName('Interface', iface);
    if (!i) return;
    const ofport = optional(i[1].ofport);
    const error = optional(i[1].error);
    if (error !== undefined || (ofport !== undefined && Number(ofport) < 0))
      throw new OvsError({ code: 'ERR_OVS_INTERFACE', operation, reason: `ovs-vswitchd could not make the device of interface ${iface}`, details: error === undefined ? 'ofport -1' : String(error), interface: iface, socket: this.db.socket });
  }

  /**
   * Plans a change on the replica (build), sends it as one transaction, waits for ovs-vswitchd and
   * checks the interfaces it made. A name taken or a row gone meanwhile (a guard's `wait` fails)
   * is EEXIST or ENOENT; a device ovs-vswitchd could not make undoes what the change added or set.
   */
  private async run<T>(operation: string, opts: OvsWaitOptions, build: (plan: Plan) => T): Promise<T> {
    const [rootId] = this.root(operation);
    const plan = new Plan(this.view, rootId, operation, this.db.socket);
    const value = build(plan);
    if (plan.ops.length === 0) return value;
    try {
      await this.change(operation, plan.ops, opts, plan.check);
    } catch (e) {
      const guard = e instanceof OvsError && e.code === 'ERR_OVSDB_TIMED_OUT' && e.index !== undefined ? plan.guards.get(e.index) : undefined;
      if (guard) throw new OvsError({ code: guard.code, operation, reason: `${guard.reason} (changed meanwhile); nothing was changed`, socket: this.db.socket, cause: e });
      if (e instanceof OvsError && e.code === 'ERR_OVS_INTERFACE') {
        const undo = plan.undoOps(this.view);
        if (undo.length) await this.db.transact(DB, undo, { operation: `${operation} (undo)` }).catch(() => undefined);
      }
      throw e;
    }
    return value;
  }

  /** The replica as plans read it. */
  private readonly view: ReplicaView = {
    byName: (t, n) => this.byName(t, n),
    bridgeOfPort: (id) => this.bridgeOfPort(id),
    row: (t, id) => this.tables[t].get(id),
  };

  /**
   * Adds a bridge (with its internal port of the same name). `ovs-vsctl [--may-exist] add-br NAME
   * [-- set Bridge NAME datapath_type=netdev]`
   */
  async addBridge(bridge: string, options: AddBridgeOptions = {}): Promise<void> {
    options = v.options(options, 'options', ['mayExist', 'datapathType', 'noWait', 'signal']);
    const args = addBridgeArgs(bridge, options);
    await this.run(`addBridge ${bridge}`, options, (p) => { p.addBridge(...args); });
  }

  /** Deletes a bridge and its ports; resolves with whether it existed. `ovs-vsctl [--if-exists] del-br NAME` */
  async deleteBridge(bridge: string, options: { ifExists?: boolean } & OvsWaitOptions = {}): Promise<boolean> {
    options = v.options(options, 'options', ['ifExists', 'noWait', 'signal']);
    const args = deleteArgs(bridge, undefined, options);
    return this.run(`deleteBridge ${bridge}`, options, (p) => p.deleteBridge(args.bridge, args.ifExists));
  }

  /**
   * Adds a port (and its interface of the same name) to a bridge. `ovs-vsctl [--may-exist]
   * add-port BR PORT [tag=N] [trunks=…] [vlan_mode=…] [-- set Interface PORT type=… options:…=…
   * mtu_request=N]`
   */
  async addPort(bridge: string, port: string, options: AddPortOptions = {}): Promise<void> {
    options = v.options(options, 'options', ['tag', 'trunks', 'vlanMode', 'type', 'options', 'mtuRequest', 'mayExist', 'noWait', 'signal']);
    const args = addPortArgs(bridge, port, options);
    await this.run(`addPort ${bridge} ${port}`, options, (p) => { p.addPort(...args); });
  }

  /** Deletes a port from a bridge; resolves with whether it existed. `ovs-vsctl [--if-exists] del-port BR PORT` */
  async deletePort(bridge: string, port: string, options: { ifExists?: boolean } & OvsWaitOptions = {}): Promise<boolean> {
    options = v.options(options, 'options', ['ifExists', 'noWait', 'signal']);
    const args = deleteArgs(bridge, port, options);
    return this.run(`deletePort ${bridge} ${port}`, options, (p) => p.deletePort(args.bridge, args.port!, args.ifExists));
  }

  /**
   * Changes a port's VLAN settings; null removes one. `ovs-vsctl set Port P tag=N trunks=…
   * vlan_mode=…`, `ovs-vsctl remove Port P tag N` (`tag: null`)
   */
  async setPort(port: string, options: SetPortOptions): Promise<void> {
    options = v.options(options, 'options', ['tag', 'trunks', 'vlanMode', 'noWait', 'signal']);
    const row = setPortRow(port, options);
    await this.run(`setPort ${port}`, options, (p) => { p.update('Port', port, row); });
  }

  /**
   * Changes an interface's type, options or MTU request. `ovs-vsctl set Interface I type=…
   * options:…=… mtu_request=N`. If ovs-vswitchd cannot apply it, the interface gets its previous
   * settings back and this rejects with `ERR_OVS_INTERFACE`.
   */
  async setInterface(iface: string, options: SetInterfaceOptions): Promise<void> {
    options = v.options(options, 'options', ['type', 'options', 'mtuRequest', 'noWait', 'signal']);
    const type = options.type === undefined ? text(this.byName('Interface', name(iface, 'interface'))?.[1].type) : undefined;
    const row = setInterfaceRow(iface, options, type);
    await this.run(`setInterface ${iface}`, options, (p) => { p.update('Interface', iface, row); });
  }

  /**
   * Several changes as ONE transaction (`ovs-vsctl CMD -- CMD -- …`): `fn` calls the verbs of
   * `tx` (checked at once: a bad argument throws there and nothing is sent), which see what the
   * earlier ones made (a port on a bridge added in the same transaction). Either all of it is
   * committed or none of it; then ovs-vswitchd is waited for once. If it cannot make a device, what
   * the transaction added or set is undone (what it deleted stays deleted) and it rejects with
   * `ERR_OVS_INTERFACE`.
   *
   * ```ts
   * await ovs.transaction((tx) => {
   *   tx.addBridge('br-int');
   *   tx.addPort('br-int', 'patch-tun', { type: 'patch', options: { peer: 'patch-int' } });
   * });
   * ```
   */
  async transaction(fn: (tx: OvsTransaction) => unknown, options: OvsWaitOptions = {}): Promise<void> {
    if (typeof fn !== 'function') throw invalidType('fn', 'a function', fn);
    options = v.options(options, 'options', ['noWait', 'signal']);
    await this.run('transaction', options, (plan) => {
      const tx = makeTransaction(plan, (n) => this.byName('Interface', n));
      const r = fn(tx);
      if (r instanceof Promise) throw invalidValue('fn', fn, 'must plan synchronously (call the verbs of tx, return nothing)');
      tx.close();
    });
  }

  /**
   * Makes sure the database has its Open_vSwitch row, and (unless noWait) waits until ovs-vswitchd
   * has caught up with the configuration. `ovs-vsctl [--no-wait] init`
   */
  async init(options: OvsWaitOptions = {}): Promise<void> {
    options = v.options(options, 'options', ['noWait', 'signal']);
    if (this.tables.Open_vSwitch.size === 0) {
      // Only if still none: a row made meanwhile fails the wait, and the row is then there.
      await this.db
        .transact(DB, [{ op: 'wait', table: 'Open_vSwitch', where: [], columns: ['_uuid'], until: '==', rows: [], timeout: 0 }, { op: 'insert', table: 'Open_vSwitch', row: {} }], {
          operation: 'init',
          ...(options.signal ? { signal: options.signal } : {}),
        })
        .catch((e: unknown) => {
          if (!(e instanceof OvsError && e.code === 'ERR_OVSDB_TIMED_OUT')) throw e;
        });
      await this.until(() => this.tables.Open_vSwitch.size > 0, 'init', options.signal);
    }
    await this.change('init', [], options);
  }

  /** Resolves once cond() holds in the replica (bounded by the client's timeout). */
  private until(cond: () => boolean, operation: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (e?: Error): void => {
        this.cfgWaiters.delete(check);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (e) reject(e);
        else resolve();
      };
      const check = (): void => {
        if (cond()) done();
      };
      const onAbort = (): void => { done(new OvsError({ code: 'ABORT_ERR', operation, reason: 'aborted', cause: signal!.reason })); };
      this.cfgWaiters.add(check);
      if (this.db.timeout) timer = setTimeout(() => { done(new OvsError({ code: 'ETIMEDOUT', operation, reason: `the replica did not see it within ${this.db.timeout} ms`, socket: this.db.socket })); }, this.db.timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /** Ends the session (the connection, and its monitor). */
  close(): void {
    this.db.close();
  }
}


// --- arguments of the changing verbs (shared by the verbs and transactions) ----------------------

function addBridgeArgs(bridge: unknown, o: Omit<AddBridgeOptions, 'noWait' | 'signal'>): [string, boolean, 'netdev' | 'system'] {
  name(bridge, 'bridge');
  const mayExist = o.mayExist === undefined ? false : v.bool(o.mayExist, 'options.mayExist');
  if (o.datapathType !== undefined && o.datapathType !== 'netdev' && o.datapathType !== 'system')
    throw invalidValue('options.datapathType', o.datapathType, "must be 'netdev' or 'system'");
  return [bridge as string, mayExist, o.datapathType ?? defaultDatapath()];
}

function deleteArgs(bridge: unknown, port: unknown, o: { ifExists?: boolean }): { bridge: string; port?: string; ifExists: boolean } {
  name(bridge, 'bridge');
  if (port !== undefined) name(port, 'port');
  const ifExists = o.ifExists === undefined ? false : v.bool(o.ifExists, 'options.ifExists');
  return { bridge: bridge as string, ...(port !== undefined ? { port: port as string } : {}), ifExists };
}

function addPortArgs(bridge: unknown, port: unknown, o: Omit<AddPortOptions, 'noWait' | 'signal'>): [string, string, Row, Row, boolean] {
  name(bridge, 'bridge');
  name(port, 'port');
  const type = o.type === undefined ? '' : typeOf(o.type, 'options.type');
  const portRow: Row = { name: port as string };
  if (o.tag !== undefined) portRow.tag = vlan(o.tag, 'options.tag');
  if (o.trunks !== undefined) portRow.trunks = toSet(v.array(o.trunks, 'options.trunks', 4096, 'VLANs').map((t, i) => vlan(t, `options.trunks[${i}]`)));
  if (o.vlanMode !== undefined) portRow.vlan_mode = vlanModeOf(o.vlanMode, 'options.vlanMode');
  const ifRow: Row = { name: port as string, type };
  const opts = optionsOf(o.options ?? {}, type, 'options.options');
  if (Object.keys(opts).length) ifRow.options = toMap(opts);
  if (o.mtuRequest !== undefined) ifRow.mtu_request = mtuOf(o.mtuRequest, 'options.mtuRequest');
  const mayExist = o.mayExist === undefined ? false : v.bool(o.mayExist, 'options.mayExist');
  return [bridge as string, port as string, portRow, ifRow, mayExist];
}

function setPortRow(port: unknown, o: Omit<SetPortOptions, 'noWait' | 'signal'>): Row {
  name(port, 'port');
  const row: Row = {};
  if (o.tag !== undefined) row.tag = o.tag === null ? toSet([]) : vlan(o.tag, 'options.tag');
  if (o.trunks !== undefined) row.trunks = toSet(o.trunks === null ? [] : v.array(o.trunks, 'options.trunks', 4096, 'VLANs').map((t, i) => vlan(t, `options.trunks[${i}]`)));
  if (o.vlanMode !== undefined) row.vlan_mode = o.vlanMode === null ? toSet([]) : vlanModeOf(o.vlanMode, 'options.vlanMode');
  return row;
}

/** `currentType`: the interface's type now, which its options are checked against when the type is not given. */
function setInterfaceRow(iface: unknown, o: Omit<SetInterfaceOptions, 'noWait' | 'signal'>, currentType: string | undefined): Row {
  name(iface, 'interface');
  const type = o.type === undefined ? (currentType ?? '') : typeOf(o.type, 'options.type');
  const row: Row = {};
  if (o.type !== undefined) row.type = type;
  if (o.options !== undefined) row.options = toMap(optionsOf(o.options, type, 'options.options'));
  if (o.mtuRequest !== undefined) row.mtu_request = o.mtuRequest === null ? toSet([]) : mtuOf(o.mtuRequest, 'options.mtuRequest');
  return row;
}

// --- planning a transaction -------------------------------------------------------------------

/** What a plan reads of the replica. */
interface ReplicaView {
  byName(t: 'Bridge' | 'Port' | 'Interface', n: string): [string, Row] | undefined;
  bridgeOfPort(portUuid: string): [string, Row] | undefined;
  row(t: Table, id: string): Row | undefined;
}

/** A row as a plan refers to it: its uuid, or the uuid-name of a row the plan inserts. */
type Ref = { uuid: string } | { named: string };
const refJson = (r: Ref): Json => ('uuid' in r ? uuid(r.uuid) : namedUuid(r.named));

/** What to undo if ovs-vswitchd cannot make a device: found again by name after the commit. */
type Undo = { kind: 'bridge'; name: string } | { kind: 'port'; bridge: string; name: string } | { kind: 'update'; table: 'Port' | 'Interface'; name: string; before: Row };

/**
 * A transaction being planned: its operations, and the names it makes or removes (an overlay on
 * the replica, so a later verb sees an earlier one's bridge).
 */
class Plan {
  readonly ops: Json[] = [];
  /** Interfaces to check once ovs-vswitchd has applied it. */
  readonly check: string[] = [];
  /** Guard operations by index: the error a failed one means. */
  readonly guards = new Map<number, { code: string; reason: string }>();
  private readonly undo: Undo[] = [];
  private readonly bridges = new Map<string, { ref: Ref; ports: Set<string> } | null>();
  private readonly ports = new Map<string, { ref: Ref; bridge: string } | null>();
  private n = 0;

  constructor(
    private readonly view: ReplicaView,
    private readonly rootId: string,
    private readonly operation: string,
    private readonly socket: string,
  ) {}

  private fail(code: string, reason: string): never {
    throw new OvsError({ code, operation: this.operation, reason, socket: this.socket });
  }

  private named(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  private guard(op: Json, code: string, reason: string): void {
    this.guards.set(this.ops.length, { code, reason });
    this.ops.push(op);
  }

  private bridge(n: string): { ref: Ref; ports: Set<string> } | undefined {
    if (this.bridges.has(n)) return this.bridges.get(n) ?? undefined;
    const b = this.view.byName('Bridge', n);
    if (!b) return undefined;
    const ports = new Set(setOf(b[1].ports).map((id) => text(this.view.row('Port', String(id))?.name)));
    for (const [p, at] of this.ports) if (at === null) ports.delete(p);
    return { ref: { uuid: b[0] }, ports };
  }

  private port(n: string): { ref: Ref; bridge: string | undefined } | undefined {
    if (this.ports.has(n)) return this.ports.get(n) ?? undefined;
    const p = this.view.byName('Port', n);
    if (!p) return undefined;
    const on = this.view.bridgeOfPort(p[0]);
    const bridge = on ? text(on[1].name) : undefined;
    if (bridge !== undefined && this.bridges.get(bridge) === null) return undefined; // deleted with its bridge here
    return { ref: { uuid: p[0] }, bridge };
  }

  /** A row of the replica must still be there when the transaction runs. */
  private present(table: string, ref: Ref, what: string): void {
    if ('uuid' in ref) this.guard({ op: 'wait', table, where: [['_uuid', '==', uuid(ref.uuid)]], columns: ['_uuid'], until: '!=', rows: [], timeout: 0 }, 'ENOENT', `${what} is gone`);
  }

  /** No row of that name may exist when the transaction runs (unless this plan deleted it). */
  private absent(table: string, n: string, removedHere: boolean): void {
    if (!removedHere) this.guard({ op: 'wait', table, where: [['name', '==', n]], columns: ['name'], until: '==', rows: [], timeout: 0 }, 'EEXIST', `a ${table.toLowerCase()} named ${n} exists`);
  }

  addBridge(bridge: string, mayExist: boolean, datapathType: 'netdev' | 'system'): void {
    if (this.bridge(bridge)) {
      if (mayExist) return;
      this.fail('EEXIST', `a bridge named ${bridge} exists`);
    }
    if (this.port(bridge)) this.fail('EEXIST', `a port named ${bridge} exists (a bridge's internal port takes its name)`);
    this.absent('Bridge', bridge, this.bridges.get(bridge) === null);
    this.absent('Port', bridge, this.ports.get(bridge) === null);
    const [i, p, b] = [this.named('iface'), this.named('port'), this.named('br')];
    this.ops.push(
      { op: 'insert', table: 'Interface', row: { name: bridge, type: 'internal' }, 'uuid-name': i },
      { op: 'insert', table: 'Port', row: { name: bridge, interfaces: namedUuid(i) }, 'uuid-name': p },
      { op: 'insert', table: 'Bridge', row: { name: bridge, ports: namedUuid(p), datapath_type: datapathType === 'system' ? '' : datapathType }, 'uuid-name': b },
      { op: 'mutate', table: 'Open_vSwitch', where: [['_uuid', '==', uuid(this.rootId)]], mutations: [['bridges', 'insert', toSet([namedUuid(b)])]] },
    );
    this.bridges.set(bridge, { ref: { named: b }, ports: new Set([bridge]) });
    this.ports.set(bridge, { ref: { named: p }, bridge });
    this.check.push(bridge);
    this.undo.push({ kind: 'bridge', name: bridge });
  }

  deleteBridge(bridge: string, ifExists: boolean): boolean {
    const b = this.bridge(bridge);
    if (!b) {
      if (ifExists) return false;
      this.fail('ENOENT', `no bridge named ${bridge}`);
    }
    this.ops.push({ op: 'mutate', table: 'Open_vSwitch', where: [['_uuid', '==', uuid(this.rootId)]], mutations: [['bridges', 'delete', toSet([refJson(b.ref)])]] });
    this.bridges.set(bridge, null);
    for (const p of b.ports) this.ports.set(p, null);
    return true;
  }

  addPort(bridge: string, port: string, portRow: Row, ifRow: Row, mayExist: boolean): void {
    const b = this.bridge(bridge);
    if (!b) this.fail('ENOENT', `no bridge named ${bridge}`);
    const existing = this.port(port);
    if (existing) {
      if (mayExist && existing.bridge === bridge) return;
      this.fail('EEXIST', existing.bridge !== undefined ? `a port named ${port} is on bridge ${existing.bridge}` : `a port named ${port} exists`);
    }
    this.present('Bridge', b.ref, `bridge ${bridge}`);
    this.absent('Port', port, this.ports.get(port) === null);
    this.absent('Interface', port, this.ports.get(port) === null);
    const [i, p] = [this.named('iface'), this.named('port')];
    this.ops.push(
      { op: 'insert', table: 'Interface', row: ifRow, 'uuid-name': i },
      { op: 'insert', table: 'Port', row: { ...portRow, interfaces: namedUuid(i) }, 'uuid-name': p },
      { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', refJson(b.ref)]], mutations: [['ports', 'insert', toSet([namedUuid(p)])]] },
    );
    b.ports.add(port);
    this.bridges.set(bridge, b);
    this.ports.set(port, { ref: { named: p }, bridge });
    this.check.push(port);
    if ('uuid' in b.ref) this.undo.push({ kind: 'port', bridge, name: port });
  }

  deletePort(bridge: string, port: string, ifExists: boolean): boolean {
    const b = this.bridge(bridge);
    const p = this.port(port);
    if (!b || !p || p.bridge !== bridge) {
      if (ifExists) return false;
      this.fail('ENOENT', b ? `bridge ${bridge} has no port ${port}` : `no bridge named ${bridge}`);
    }
    this.ops.push({ op: 'mutate', table: 'Bridge', where: [['_uuid', '==', refJson(b.ref)]], mutations: [['ports', 'delete', toSet([refJson(p.ref)])]] });
    b.ports.delete(port);
    this.bridges.set(bridge, b);
    this.ports.set(port, null);
    return true;
  }

  /** Sets columns of a Port or Interface (by name; a port's interface has the port's name here). */
  update(table: 'Port' | 'Interface', n: string, row: Row): void {
    const what = `${table === 'Port' ? 'port' : 'interface'} ${n}`;
    const target = table === 'Port' ? this.port(n)?.ref : this.port(n) && (this.view.byName('Interface', n) ? ({ uuid: this.view.byName('Interface', n)![0] } as Ref) : undefined);
    const pendingInterface = table === 'Interface' && this.ports.get(n) && !this.view.byName('Interface', n);
    if (!target && !pendingInterface) this.fail('ENOENT', `no ${what}`);
    if (Object.keys(row).length === 0) return;
    if (pendingInterface) this.fail('EINVAL', `${what} is added in this transaction: give its settings to addPort`);
    this.present(table, target!, what);
    this.ops.push({ op: 'update', table, where: [['_uuid', '==', refJson(target!)]], row });
    if (table === 'Interface') this.check.push(n);
    if ('uuid' in target!) {
      const current = this.view.row(table, target.uuid) ?? {};
      const before: Row = {};
      for (const k of Object.keys(row)) before[k] = current[k] ?? toSet([]);
      this.undo.push({ kind: 'update', table, name: n, before });
    }
  }

  /** The operations that undo what this plan added or set, from the replica after its commit. */
  undoOps(view: ReplicaView): Json[] {
    const ops: Json[] = [];
    for (const u of [...this.undo].reverse()) {
      if (u.kind === 'bridge') {
        const b = view.byName('Bridge', u.name);
        if (b) ops.push({ op: 'mutate', table: 'Open_vSwitch', where: [['_uuid', '==', uuid(this.rootId)]], mutations: [['bridges', 'delete', toSet([uuid(b[0])])]] });
      } else if (u.kind === 'port') {
        const b = view.byName('Bridge', u.bridge);
        const p = view.byName('Port', u.name);
        if (b && p) ops.push({ op: 'mutate', table: 'Bridge', where: [['_uuid', '==', uuid(b[0])]], mutations: [['ports', 'delete', toSet([uuid(p[0])])]] });
      } else {
        const r = view.byName(u.table, u.name);
        if (r) ops.push({ op: 'update', table: u.table, where: [['_uuid', '==', uuid(r[0])]], row: u.before });
      }
    }
    return ops;
  }
}

/** The verbs of {@link OvsClient.transaction}: each plans its part at once (nothing is sent until `fn` returns). */
export interface OvsTransaction {
  addBridge(bridge: string, options?: Omit<AddBridgeOptions, 'noWait' | 'signal'>): void;
  deleteBridge(bridge: string, options?: { ifExists?: boolean }): boolean;
  addPort(bridge: string, port: string, options?: Omit<AddPortOptions, 'noWait' | 'signal'>): void;
  deletePort(bridge: string, port: string, options?: { ifExists?: boolean }): boolean;
  setPort(port: string, options: Omit<SetPortOptions, 'noWait' | 'signal'>): void;
  setInterface(iface: string, options: Omit<SetInterfaceOptions, 'noWait' | 'signal'>): void;
}

function makeTransaction(plan: Plan, iface: (n: string) => [string, Row] | undefined): OvsTransaction & { close(): void } {
  let open = true;
  const live = (): void => {
    if (!open) throw invalidValue('tx', 'closed', 'is used after its transaction was sent');
  };
  return {
    addBridge: (bridge, options = {}) => {
      live();
      plan.addBridge(...addBridgeArgs(bridge, v.options(options, 'options', ['mayExist', 'datapathType'])));
    },
    deleteBridge: (bridge, options = {}) => {
      live();
      const a = deleteArgs(bridge, undefined, v.options(options, 'options', ['ifExists']));
      return plan.deleteBridge(a.bridge, a.ifExists);
    },
    addPort: (bridge, port, options = {}) => {
      live();
      plan.addPort(...addPortArgs(bridge, port, v.options(options, 'options', ['tag', 'trunks', 'vlanMode', 'type', 'options', 'mtuRequest', 'mayExist'])));
    },
    deletePort: (bridge, port, options = {}) => {
      live();
      const a = deleteArgs(bridge, port, v.options(options, 'options', ['ifExists']));
      return plan.deletePort(a.bridge, a.port!, a.ifExists);
    },
    setPort: (port, options) => {
      live();
      plan.update('Port', port, setPortRow(port, v.options(options, 'options', ['tag', 'trunks', 'vlanMode'])));
    },
    setInterface: (i, options) => {
      live();
      const o = v.options(options, 'options', ['type', 'options', 'mtuRequest']);
      plan.update('Interface', i, setInterfaceRow(i, o, o.type === undefined ? text(iface(name(i, 'interface'))?.[1].type) : undefined));
    },
    close: () => {
      open = false;
    },
  };
}

const MONITOR = 'netdev-vswitch';
let constructing = false;

function quote(s: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(s) && !/^\d/.test(s) ? s : JSON.stringify(s);
}

/** `system` where the kernel has the openvswitch datapath, else `netdev` (the userspace one). */
export function defaultDatapath(): 'netdev' | 'system' {
  return existsSync('/sys/module/openvswitch') ? 'system' : 'netdev';
}

/**
 * Connects to ovsdb-server and loads the configuration; resolves with a client whose verbs are
 * ovs-vsctl's. Rejects with `ENOENT` or `ECONNREFUSED` naming the socket when no server listens.
 *
 * `ovs-vsctl [--db=unix:SOCKET] [--timeout=SECONDS] [--no-wait] …`
 */
export async function openOvs(options: OpenOvsOptions = {}): Promise<OvsClient> {
  options = v.options(options, 'options', ['socket', 'netns', 'timeout', 'reconnect', 'noWait']);
  if (options.socket !== undefined) v.string(options.socket, 'options.socket', 4095, 1);
  if (options.timeout !== undefined) v.integer(options.timeout, 'options.timeout', 0, 2 ** 31 - 1);
  const db = await OvsdbClient.connect(options);
  constructing = true;
  let client: OvsClient;
  try {
    client = new OvsClient(db, options.noWait === true);
  } finally {
    constructing = false;
  }
  try {
    await client.start();
  } catch (e) {
    db.close();
    throw e;
  }
  return client;
}
