/** The link kinds, one file per family of kinds, over one table engine (table.ts). @internal */
export * from './bridge.js';
export * from './encap.js';
export * from './generic.js';
export * from './ipsec.js';
export * from './netkit.js';
export * from './stacked.js';
export * from './tunnels.js';
export * from './virtual.js';
export type * from './data.js';
