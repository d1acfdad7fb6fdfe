// The kernel's constants lib/ needs (binding.constants), with the values of the headers the addon
// was built against: message types, flags, scopes, tables, groups, TUN offloads, uv poll events.
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <napi.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include "api/ops.h"

namespace netdev::api {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define C(name) c.Set(#name, Napi::Number::New(env, name))
  C(RTM_NEWLINK);
  C(RTM_DELLINK);
  C(RTM_GETLINK);
  C(RTM_SETLINK);
  C(RTM_NEWLINKPROP);
  C(RTM_DELLINKPROP);
  C(RTM_NEWADDR);
  C(RTM_DELADDR);
  C(RTM_GETADDR);
  C(TUN_F_CSUM);
  C(TUN_F_TSO4);
  C(TUN_F_TSO6);
  C(TUN_F_TSO_ECN);
  // USO (Linux 6.2+): the values of <linux/if_tun.h>, for builds against older headers.
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
  C(TUN_F_USO4);
  C(TUN_F_USO6);
  C(IFF_PERSIST);
  C(IFF_MULTI_QUEUE);
  C(IFF_VNET_HDR);
  C(IFF_NO_PI);
  C(IFF_TAP);
  C(RTM_NEWNEIGH);
  C(RTM_DELNEIGH);
  C(RTM_GETNEIGH);
  C(NUD_PERMANENT);
  C(NUD_NOARP);
  C(NUD_REACHABLE);
  C(NUD_STALE);
  C(NTF_SELF);
  C(NTF_MASTER);
  C(NTF_USE);
  C(NTF_EXT_LEARNED);
  C(NTF_STICKY);
  C(RTEXT_FILTER_BRVLAN);
  C(BRIDGE_FLAGS_SELF);
  C(BRIDGE_FLAGS_MASTER);
  C(NLM_F_CREATE);
  C(NLM_F_EXCL);
  C(NLM_F_REPLACE);
  C(NLM_F_APPEND);
  C(NLM_F_DUMP);
  C(AF_UNSPEC);
  C(AF_INET);
  C(AF_INET6);
  C(AF_BRIDGE);
  C(SOCK_STREAM);
  C(SOCK_DGRAM);
  C(IFA_F_NODAD);
  C(IFA_F_NOPREFIXROUTE);
  C(IFA_F_HOMEADDRESS);
  C(IFA_F_MANAGETEMPADDR);
  C(IFA_F_PERMANENT);
  C(IFA_F_MCAUTOJOIN);
  C(RT_SCOPE_UNIVERSE);
  C(RT_SCOPE_SITE);
  C(RT_SCOPE_LINK);
  C(RT_SCOPE_HOST);
  C(RT_SCOPE_NOWHERE);
  C(RTEXT_FILTER_VF);
  C(RTEXT_FILTER_SKIP_STATS);
  C(ETH_P_8021Q);
  C(ETH_P_8021AD);
  C(RTM_NEWROUTE);
  C(RTM_DELROUTE);
  C(RTM_GETROUTE);
  C(RTM_NEWRULE);
  C(RTM_DELRULE);
  C(RTM_GETRULE);
  C(RTM_NEWNSID);
  C(RTM_DELNSID);
  C(RTM_GETNSID);
  C(RTN_UNSPEC);
  C(RTN_UNICAST);
  C(RTN_LOCAL);
  C(RTN_BROADCAST);
  C(RTN_ANYCAST);
  C(RTN_MULTICAST);
  C(RTN_BLACKHOLE);
  C(RTN_UNREACHABLE);
  C(RTN_PROHIBIT);
  C(RTN_THROW);
  C(RTN_NAT);
  C(RTPROT_UNSPEC);
  C(RTPROT_REDIRECT);
  C(RTPROT_KERNEL);
  C(RTPROT_BOOT);
  C(RTPROT_STATIC);
  C(RTPROT_RA);
  C(RTPROT_DHCP);
  C(RT_TABLE_UNSPEC);
  C(RT_TABLE_DEFAULT);
  C(RT_TABLE_MAIN);
  C(RT_TABLE_LOCAL);
  C(RTNH_F_DEAD);
  C(RTNH_F_PERVASIVE);
  C(RTNH_F_ONLINK);
  C(RTNH_F_OFFLOAD);
  C(RTNH_F_LINKDOWN);
  C(RTNH_F_UNRESOLVED);
  C(RTM_F_NOTIFY);
  C(RTM_F_CLONED);
  C(RTM_F_LOOKUP_TABLE);
  C(RTM_F_FIB_MATCH);
  C(FR_ACT_TO_TBL);
  C(FR_ACT_GOTO);
  C(FR_ACT_NOP);
  C(FR_ACT_BLACKHOLE);
  C(FR_ACT_UNREACHABLE);
  C(FR_ACT_PROHIBIT);
  C(FIB_RULE_INVERT);
  C(NTF_PROXY);
  C(NTF_ROUTER);
  C(NUD_INCOMPLETE);
  C(NUD_DELAY);
  C(NUD_PROBE);
  C(NUD_FAILED);
  C(NUD_NONE);
  C(NETNSA_NSID_NOT_ASSIGNED);
  C(RTNLGRP_LINK);
  C(RTNLGRP_NEIGH);
  C(RTNLGRP_IPV4_IFADDR);
  C(RTNLGRP_IPV6_IFADDR);
  C(RTNLGRP_IPV4_ROUTE);
  C(RTNLGRP_IPV6_ROUTE);
  C(RTNLGRP_IPV4_RULE);
  C(RTNLGRP_IPV6_RULE);
  C(RTNLGRP_NSID);
  C(UV_READABLE);
  C(UV_WRITABLE);
  C(UV_DISCONNECT);
#undef C
  return c;
}

}  // namespace netdev::api
