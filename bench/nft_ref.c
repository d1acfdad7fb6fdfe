// C reference for bench/nat.mjs: sends one nf_tables batch (the bytes netdev sent, from a file) on
// a NETLINK_NETFILTER socket in the namespace at argv[1], as netdev's transport does: one
// datagram, the send buffer grown to fit, an ACK asked of the last object message only; waits for
// that ACK (or a refusal). Repeats RUNS times, deleting the table between runs with the batch in
// argv[3] (untimed). Prints {"seconds":[...]}.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(*len);
  if (fread(b, 1, *len, f) != *len) *len = 0;
  fclose(f);
  return b;
}

static uint32_t seq = 1;
static uint8_t rx[1 << 20];

// Sets seq/pid/flags like NlSocket::Batch, sends, waits for the ACK of the last object message.
static int apply(int fd, uint32_t portid, uint8_t *b, size_t len) {
  size_t offs[200000], n = 0;
  for (size_t o = 0; o + sizeof(struct nlmsghdr) <= len && n < 200000;) {
    struct nlmsghdr *h = (struct nlmsghdr *)(b + o);
    offs[n++] = o;
    o += NLMSG_ALIGN(h->nlmsg_len);
  }
  uint32_t base = seq;
  for (size_t k = 0; k < n; k++) {
    struct nlmsghdr *h = (struct nlmsghdr *)(b + offs[k]);
    h->nlmsg_seq = seq++;
    h->nlmsg_pid = portid;
    h->nlmsg_flags = (h->nlmsg_flags | NLM_F_REQUEST) & ~NLM_F_ACK;
    if (k == n - 2) h->nlmsg_flags |= NLM_F_ACK;
  }
  uint32_t ack = base + (uint32_t)n - 2;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(fd, b, len, 0, (struct sockaddr *)&to, sizeof to) < 0) return -errno;
  for (;;) {
    ssize_t r = recv(fd, rx, sizeof rx, 0);
    if (r < 0) return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err) return err;
      if (h->nlmsg_seq == ack) return 0;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int nsfd = open(argv[1], O_RDONLY);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) {
    perror("setns");
    return 1;
  }
  size_t alen, dlen;
  uint8_t *a = slurp(argv[2], &alen), *d = slurp(argv[3], &dlen);
  int runs = atoi(argv[4]);
  if (!a || !d) return 1;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  int buf = (int)alen + 65536, rcv = 1 << 20, one = 1;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  socklen_t sl = sizeof sa;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
    perror("bind");
    return 1;
  }
  printf("{\"seconds\":[");
  for (int i = 0; i < runs; i++) {
    double t0 = now();
    int r = apply(fd, sa.nl_pid, a, alen);
    double t = now() - t0;
    if (r) {
      fprintf(stderr, "apply: %s\n", strerror(-r));
      return 1;
    }
    if ((r = apply(fd, sa.nl_pid, d, dlen))) {
      fprintf(stderr, "delete: %s\n", strerror(-r));
      return 1;
    }
    printf("%s%.6f", i ? "," : "", t);
  }
  printf("]}\n");
  return 0;
}
