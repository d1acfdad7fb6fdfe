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
  type BridgePortSettings,
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
