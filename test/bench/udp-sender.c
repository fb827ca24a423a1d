/*
 * The statsd load for `npm run bench:heartbeat` (compiled by it with the machine's C compiler): paced
 * UDP datagrams to 127.0.0.1 only, sent with sendmmsg in batches so that the sender itself costs little
 * CPU. A Node sender pays several microseconds per datagram, about one of this machine's two cores at
 * 150,000 datagrams/s, and the receiver then measures the sender rather than itself.
 *
 *   udp-sender PORT RATE SECONDS LINES_PER_DATAGRAM NAMES SOCKETS
 *
 * Sends RATE lines/s for SECONDS (gives up SECONDS + 5 s after the start if it falls behind) of
 * "bench.svc<i>.beat:1|c" lines, LINES_PER_DATAGRAM per datagram joined by "\n", cycling over NAMES names,
 * spread over SOCKETS sockets (different source ports: the kernel spreads those over reusePort
 * receivers). Prints the number of lines sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SOCKETS 64
#define TICK_NS 1000000L

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s PORT RATE SECONDS LINES_PER_DATAGRAM NAMES SOCKETS\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  long rate = atol(argv[2]);
  double seconds = atof(argv[3]);
  int per_datagram = atoi(argv[4]);
  int names = atoi(argv[5]);
  int socket_count = atoi(argv[6]);
  if (port <= 0 || rate <= 0 || seconds <= 0 || per_datagram <= 0 || names <= 0 || socket_count <= 0 ||
      socket_count > MAX_SOCKETS) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }

  /* One datagram per starting name, as the Node sender builds them. */
  char **datagrams = calloc(names, sizeof(char *));
  size_t *lengths = calloc(names, sizeof(size_t));
  for (int index = 0; index < names; index++) {
    size_t capacity = (size_t)per_datagram * 40 + 1;
    char *text = malloc(capacity);
    size_t length = 0;
    for (int line = 0; line < per_datagram; line++)
      length += snprintf(text + length, capacity - length, "%sbench.svc%d.beat:1|c", line ? "\n" : "",
                         (index * per_datagram + line) % names);
    datagrams[index] = text;
    lengths[index] = length;
  }

  struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &target.sin_addr);
  int sockets[MAX_SOCKETS];
  for (int index = 0; index < socket_count; index++) {
    sockets[index] = socket(AF_INET, SOCK_DGRAM, 0);
    if (sockets[index] < 0 || connect(sockets[index], (struct sockaddr *)&target, sizeof target) < 0) {
      perror("socket");
      return 1;
    }
  }

  long total_datagrams = (long)(rate * seconds) / per_datagram;
  long sent = 0;
  long cursor = 0;
  struct mmsghdr messages[BATCH];
  struct iovec vectors[BATCH];
  double started = now_seconds();
  while (sent < total_datagrams) {
    double elapsed = now_seconds() - started;
    if (elapsed > seconds + 5) break; /* fell behind: stop anyway */
    long due = (long)(rate * elapsed) / per_datagram;
    if (due > total_datagrams) due = total_datagrams;
    while (sent < due) {
      /* One batch goes out through one socket; the next batch through the next socket. */
      int count = (int)(due - sent < BATCH ? due - sent : BATCH);
      for (int index = 0; index < count; index++) {
        long which = (cursor + index) % names;
        vectors[index].iov_base = datagrams[which];
        vectors[index].iov_len = lengths[which];
        memset(&messages[index], 0, sizeof messages[index]);
        messages[index].msg_hdr.msg_iov = &vectors[index];
        messages[index].msg_hdr.msg_iovlen = 1;
      }
      int done = sendmmsg(sockets[(cursor / BATCH) % socket_count], messages, count, 0);
      if (done <= 0) {
        perror("sendmmsg");
        return 1;
      }
      sent += done;
      cursor += done;
    }
    struct timespec tick = {0, TICK_NS};
    nanosleep(&tick, NULL);
  }
  printf("%ld\n", sent * per_datagram);
  return 0;
}
