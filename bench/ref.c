// C reference for bench/rtnetlink.mjs: libmnl, one NETLINK_ROUTE socket, one request at a time,
// waiting for each ACK: the plainest correct client, the baseline every ratio is taken against.
//   ref NETNS_PATH veth N       create N veth pairs rv<i>/rp<i>
//   ref NETNS_PATH addr N IFIDX add N IPv4 /32 addresses to IFIDX
//   ref NETNS_PATH dump R       dump all links R times (prints the median)
//   ref NETNS_PATH route N IFIDX add N IPv4 /32 routes (12.0.0.0/8 + i) through IFIDX
//   ref NETNS_PATH rdump R      dump the IPv4 routes R times, each parsed into a struct (median)
// Prints one JSON line: {"ops":N,"seconds":S[,"links":L]}.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct mnl_socket *nl;
static unsigned portid;
static char buf[64 * 1024];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void transact(struct nlmsghdr *nlh) {
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
    perror("sendto");
    exit(1);
  }
  int ret = mnl_socket_recvfrom(nl, buf, sizeof buf);
  while (ret > 0) {
    ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, NULL, NULL);
    if (ret <= 0) break;
    ret = mnl_socket_recvfrom(nl, buf, sizeof buf);
  }
  if (ret < 0) {
    perror("request");
    exit(1);
  }
}

static int count_cb(const struct nlmsghdr *nlh, void *data) {
  (void)nlh;
  ++*(int *)data;
  return MNL_CB_OK;
}

// A route parsed into a C struct: what a C program dumping routes works with (the counterpart
// of netdev's Route objects, without any string formatting).
struct route {
  unsigned char family, dst_len, src_len, tos, table, protocol, scope, type;
  unsigned flags, oif, priority;
  unsigned char dst[16], gateway[16], prefsrc[16];
};
struct routes {
  struct route *v;
  int n, cap;
};

static int route_attr_cb(const struct nlattr *attr, void *data) {
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, RTA_MAX) < 0) return MNL_CB_OK;
  tb[type] = attr;
  return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
  struct routes *rs = data;
  const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
  const struct nlattr *tb[RTA_MAX + 1] = {0};
  mnl_attr_parse(nlh, sizeof *rtm, route_attr_cb, tb);
  if (rs->n == rs->cap) {
    rs->cap = rs->cap ? rs->cap * 2 : 1024;
    rs->v = realloc(rs->v, sizeof *rs->v * (size_t)rs->cap);
  }
  struct route *r = &rs->v[rs->n++];
  memset(r, 0, sizeof *r);
  r->family = rtm->rtm_family;
  r->dst_len = rtm->rtm_dst_len;
  r->src_len = rtm->rtm_src_len;
  r->tos = rtm->rtm_tos;
  r->table = rtm->rtm_table;
  r->protocol = rtm->rtm_protocol;
  r->scope = rtm->rtm_scope;
  r->type = rtm->rtm_type;
  r->flags = rtm->rtm_flags;
  size_t alen = rtm->rtm_family == AF_INET6 ? 16 : 4;
  if (tb[RTA_DST]) memcpy(r->dst, mnl_attr_get_payload(tb[RTA_DST]), alen);
  if (tb[RTA_GATEWAY]) memcpy(r->gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]), alen);
  if (tb[RTA_PREFSRC]) memcpy(r->prefsrc, mnl_attr_get_payload(tb[RTA_PREFSRC]), alen);
  if (tb[RTA_OIF]) r->oif = mnl_attr_get_u32(tb[RTA_OIF]);
  if (tb[RTA_PRIORITY]) r->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
  return MNL_CB_OK;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    perror("setns");
    return 1;
  }
  close(fd);
  int n = atoi(argv[3]);
  nl = mnl_socket_open(NETLINK_ROUTE);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    perror("socket");
    return 1;
  }
  portid = mnl_socket_get_portid(nl);
  char msg[1024];
  unsigned seq = 1;
  if (strcmp(argv[2], "veth") == 0) {
    double t0 = now();
    for (int i = 0; i < n; i++) {
      char name[16], peer[16];
      snprintf(name, sizeof name, "rv%d", i);
      snprintf(peer, sizeof peer, "rp%d", i);
      struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
      nlh->nlmsg_type = RTM_NEWLINK;
      nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
      nlh->nlmsg_seq = seq++;
      mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
      mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
      struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
      mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
      struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
      struct nlattr *p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
      nlh->nlmsg_len += sizeof(struct ifinfomsg);
      memset((char *)p + sizeof(struct nlattr), 0, sizeof(struct ifinfomsg));
      mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
      mnl_attr_nest_end(nlh, p);
      mnl_attr_nest_end(nlh, data);
      mnl_attr_nest_end(nlh, li);
      transact(nlh);
    }
    printf("{\"ops\":%d,\"seconds\":%.6f}\n", n, now() - t0);
  } else if (strcmp(argv[2], "addr") == 0 && argc > 4) {
    int ifindex = atoi(argv[4]);
    double t0 = now();
    for (int i = 0; i < n; i++) {
      struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
      nlh->nlmsg_type = RTM_NEWADDR;
      nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
      nlh->nlmsg_seq = seq++;
      struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
      ifa->ifa_family = AF_INET;
      ifa->ifa_prefixlen = 32;
      ifa->ifa_index = ifindex;
      uint32_t a = htonl(0x0b000000u + (uint32_t)i + 1);  // 11.0.0.0/8 + i
      mnl_attr_put_u32(nlh, IFA_LOCAL, a);
      mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
      transact(nlh);
    }
    printf("{\"ops\":%d,\"seconds\":%.6f}\n", n, now() - t0);
  } else if (strcmp(argv[2], "route") == 0 && argc > 4) {
    int ifindex = atoi(argv[4]);
    double t0 = now();
    for (int i = 0; i < n; i++) {
      struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
      nlh->nlmsg_type = RTM_NEWROUTE;
      nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
      nlh->nlmsg_seq = seq++;
      struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
      rtm->rtm_family = AF_INET;
      rtm->rtm_dst_len = 32;
      rtm->rtm_table = RT_TABLE_MAIN;
      rtm->rtm_protocol = RTPROT_BOOT;
      rtm->rtm_scope = RT_SCOPE_LINK;
      rtm->rtm_type = RTN_UNICAST;
      mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0c000000u + (uint32_t)i + 1));  // 12.0.0.0/8 + i
      mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
      transact(nlh);
    }
    printf("{\"ops\":%d,\"seconds\":%.6f}\n", n, now() - t0);
  } else if (strcmp(argv[2], "rdump") == 0) {
    // Each dump parses every route into a struct route (the C counterpart of typed objects).
    double times[64];
    int routes = 0;
    struct routes rs = {0};
    if (n > 64) n = 64;
    for (int r = 0; r < n; r++) {
      routes = 0;
      rs.n = 0;
      double t0 = now();
      struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
      nlh->nlmsg_type = RTM_GETROUTE;
      nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
      nlh->nlmsg_seq = seq++;
      struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
      rtm->rtm_family = AF_INET;
      if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return 1;
      int ret;
      while ((ret = mnl_socket_recvfrom(nl, buf, sizeof buf)) > 0) {
        ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, route_cb, &rs);
        if (ret <= MNL_CB_STOP) break;
      }
      times[r] = now() - t0;
      routes = rs.n;
    }
    free(rs.v);
    qsort(times, n, sizeof times[0], cmp);
    printf("{\"ops\":1,\"seconds\":%.6f,\"routes\":%d}\n", times[n / 2], routes);
  } else if (strcmp(argv[2], "dump") == 0) {
    double times[64];
    int links = 0;
    if (n > 64) n = 64;
    for (int r = 0; r < n; r++) {
      links = 0;
      double t0 = now();
      struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
      nlh->nlmsg_type = RTM_GETLINK;
      nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
      nlh->nlmsg_seq = seq++;
      mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
      if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return 1;
      int ret;
      while ((ret = mnl_socket_recvfrom(nl, buf, sizeof buf)) > 0) {
        ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, count_cb, &links);
        if (ret <= MNL_CB_STOP) break;
      }
      times[r] = now() - t0;
    }
    qsort(times, n, sizeof times[0], cmp);
    printf("{\"ops\":1,\"seconds\":%.6f,\"links\":%d}\n", times[n / 2], links);
  } else {
    return 2;
  }
  mnl_socket_close(nl);
  return 0;
}
