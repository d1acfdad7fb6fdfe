/**
 * netdev: Linux virtual networking for Node.js over native rtnetlink.
 *
 * ```ts
 * import { createNetns, createVeth, createBridge, setLink, addAddress } from 'netdev';
 * ```
 * @packageDocumentation
 */
export { NetdevError, type ArgumentError } from './errors.js';
export {
  NETNS_RUN_DIR,
  Netns,
  createNetns,
  deleteNetns,
  listNetns,
  openNetns,
  type CreateNetnsOptions,
  type NetnsOption,
  type NetnsRef,
} from './netns.js';
export {
  createBridge,
  createVeth,
  deleteLink,
  deleteLinks,
  getLink,
  listLinks,
  setLink,
  type BridgeInfo,
  type BridgePortInfo,
  type BridgePortSettings,
  type CreateBridgeOptions,
  type CreateLinkOptions,
  type CreateVethOptions,
  type Link,
  type LinkChanges,
  type LinkRef,
  type LinkStats,
  type ListLinksOptions,
  type OperState,
  type RawInfo,
  type VethInfo,
  type VethPeerOptions,
} from './links.js';
export {
  createBond,
  createGeneve,
  createGre,
  createIp6Gre,
  createIpip,
  createMacsec,
  createNlmon,
  createSit,
  createTeam,
  createVcan,
  createVxcan,
  createWireguard,
  setLinkData,
  type BondMode,
  type CreateBondOptions,
  type CreateGeneveOptions,
  type CreateGreOptions,
  type CreateIp6GreOptions,
  type CreateIptunOptions,
  type CreateMacsecOptions,
  type CreateVxcanOptions,
  createDummy,
  createIfb,
  createIpvlan,
  createIpvtap,
  createLinkOfKind,
  createMacvlan,
  createMacvtap,
  createVlan,
  createVrf,
  createVxlan,
  type CreateAnyLinkOptions,
  type CreateIpvlanOptions,
  type CreateMacvlanOptions,
  type CreateVlanOptions,
  type CreateVrfOptions,
  type CreateVxlanOptions,
  type MacvlanMode,
} from './kinds.js';
export {
  addBridgeVlan,
  addFdb,
  deleteBridgeVlan,
  deleteFdb,
  listBridgeVlans,
  listFdb,
  setBridgePort,
  type BridgePortVlans,
  type BridgeVlanSpec,
  type FdbEntry,
  type FdbSpec,
} from './bridge.js';
export {
  addAddress,
  deleteAddress,
  flushAddresses,
  listAddresses,
  type AddAddressOptions,
  type Address,
  type ListAddressesOptions,
} from './addresses.js';
export {
  connectTcp,
  createTcpServer,
  createUdpSocket,
  type TcpConnectOptions,
  type TcpServerOptions,
  type UdpSocketOptions,
} from './sockets.js';
export {
  TunDevice,
  VNET_HDR_LEN,
  parseVnetHeader,
  writeVnetHeader,
  type VnetHeader,
  createPersistentTap,
  createPersistentTun,
  deletePersistentTap,
  deletePersistentTun,
  openMacvtap,
  openTap,
  openTun,
  type OpenMacvtapOptions,
  type OpenTunOptions,
  type PacketBatch,
  type PersistentTunOptions,
  type TunOffload,
} from './tun.js';
export { GsoSplitter, TcpCoalescer, type GsoSplitterOptions, type PacketList, type TcpCoalescerOptions } from './gso.js';
export {
  addRoute,
  addRoutes,
  deleteRoute,
  getRoute,
  listRoutes,
  replaceRoute,
  type GetRouteOptions,
  type ListRoutesOptions,
  type NextHop,
  type NextHopSpec,
  type Route,
  type RouteMetrics,
  type RouteProtocol,
  type RouteScope,
  type RouteSpec,
  type RouteTable,
  type RouteType,
} from './routes.js';
export { addRule, deleteRule, listRules, type Range, type Rule, type RuleAction, type RuleSpec } from './rules.js';
export {
  addNeighbour,
  deleteNeighbour,
  flushNeighbours,
  listNeighbours,
  replaceNeighbour,
  type ListNeighboursOptions,
  type Neighbour,
  type NeighbourSpec,
  type NeighbourState,
} from './neighbours.js';
export { findNetnsById, getNetnsId, listNetnsIds, setNetnsId } from './nsid.js';
export { getSysctl, setSysctl, type SysctlKey } from './sysctl.js';
export { execFile, spawn, type ExecInNetnsOptions, type ExecResult, type SpawnInNetnsOptions } from './process.js';
export { Watcher, watch, type ChangeType, type NetdevEvent, type WatchOptions } from './events.js';
