// C reference for bench/tun.mjs: the closed-loop forward on one TUN (IFF_TUN|IFF_NO_PI). The
// caller has created and configured the device (address, route back through it, forwarding on);
// this opens it by name, primes W packets, then for SECONDS reads each packet, restores its TTL
// (the kernel decremented it while forwarding) with an incremental IPv4 checksum update, and
// writes it back. Blocking read/write, one packet at a time. Prints {"packets":N,"seconds":S}.
// With "vnet" as the 5th argument the device has IFF_VNET_HDR and the csum/TSO offloads, and the
// packets (64 KB TCP super-packets) carry their virtio_net_hdr: the offload mode.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// TTL 64 -> the kernel forwards with TTL 63; restore 64 and fix the checksum (RFC 1624).
static void restore_ttl(uint8_t *p) {
  uint16_t old = (uint16_t)((p[8] << 8) | p[9]);
  p[8] = 64;
  uint16_t nw = (uint16_t)((p[8] << 8) | p[9]);
  uint32_t sum = (uint16_t) ~((p[10] << 8) | p[11]);
  sum += (uint16_t)~old;
  sum += nw;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  uint16_t ck = (uint16_t)~sum;
  p[10] = (uint8_t)(ck >> 8);
  p[11] = (uint8_t)ck;
}

int main(int argc, char **argv) {
  // --exec-fd NAME CMD…: open the TUN (blocking, as fs-stream based Node packages use it) as fd 3
  // and exec CMD with it (Node cannot do TUNSETIFF itself).
  if (argc > 3 && strcmp(argv[1], "--exec-fd") == 0) {
    int tfd = open("/dev/net/tun", O_RDWR);
    struct ifreq r;
    memset(&r, 0, sizeof r);
    r.ifr_flags = IFF_TUN | IFF_NO_PI;
    strncpy(r.ifr_name, argv[2], IFNAMSIZ - 1);
    if (tfd < 0 || ioctl(tfd, TUNSETIFF, &r) != 0 || dup2(tfd, 3) != 3) {
      perror("tun");
      return 1;
    }
    execvp(argv[3], argv + 3);
    perror("exec");
    return 1;
  }
  if (argc < 5) return 2;
  const char *name = argv[1];
  double seconds = atof(argv[2]);
  const char *pktfile = argv[3];  // the packet to prime (binary file)
  int window = atoi(argv[4]);
  int vnet = argc > 5 && strcmp(argv[5], "vnet") == 0;
  size_t hdr = vnet ? 10 : 0;
  int fd = open("/dev/net/tun", O_RDWR);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0) {
    perror("tun");
    return 1;
  }
  if (vnet) {
    int sz = 10;
    if (ioctl(fd, TUNSETVNETHDRSZ, &sz) != 0 || ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) != 0) {
      perror("offload");
      return 1;
    }
  }
  // Packets sent before linkwatch gives the device its real qdisc (after carrier on) are dropped
  // by the noop qdisc. Linkwatch also moves operstate off "down" (a TUN's settles at "unknown"):
  // wait for that before priming.
  char path[128], state[32] = "";
  snprintf(path, sizeof path, "/sys/class/net/%s/operstate", name);
  for (int i = 0; i < 300; i++) {
    FILE *f = fopen(path, "r");
    if (f) {
      if (fscanf(f, "%31s", state) != 1) state[0] = 0;
      fclose(f);
    }
    if (state[0] && strcmp(state, "down") != 0) break;
    usleep(10000);
  }
  alarm((unsigned)seconds + 10);  // never hang: a lost window ends the run with SIGALRM
  static uint8_t pkt[70000], buf[70000];
  FILE *pf = fopen(pktfile, "rb");
  size_t plen = pf ? fread(pkt, 1, sizeof pkt, pf) : 0;
  if (pf) fclose(pf);
  if (plen <= hdr + 20) {
    fprintf(stderr, "no packet in %s\n", pktfile);
    return 1;
  }
  for (int i = 0; i < window; i++)
    if (write(fd, pkt, plen) < 0) perror("prime");
  long n = 0;
  double t0 = now(), end = t0 + seconds;
  while (1) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < (ssize_t)hdr + 20) continue;
    restore_ttl(buf + hdr);
    if (write(fd, buf, (size_t)r) < 0) perror("write");
    if ((++n & 1023) == 0 && now() >= end) break;
  }
  printf("{\"packets\":%ld,\"seconds\":%.6f}\n", n, now() - t0);
  return 0;
}
