// SPDX-License-Identifier: GPL-2.0
// The drop workload: N UDP datagrams (16 bytes) sent to a loopback port where no socket listens
// (after a 10% warm-up). The kernel frees each one with a drop reason (no socket) in the sender's
// context, since loopback delivers at once, so a program on kfree_skb runs in this thread. The ICMP
// errors the kernel answers with are rate-limited and go to this unconnected socket, which ignores
// them. Prints the mean ns per datagram in this thread's CPU time (softirq time is charged to it on
// this kernel) and in wall time.
// Usage: udp_drop N PORT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: udp_drop N PORT\n");
		return 2;
	}
	long n = atol(argv[1]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	char buf[16] = "dropped";
	for (long i = 0; i < n / 10; i++)
		sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a));
	double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++)
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a)) != sizeof(buf)) {
			perror("sendto");
			return 1;
		}
	double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	printf("ops=%ld cpu_ns_per_op=%.2f wall_ns_per_op=%.2f\n", n + n / 10, (c1 - c0) / n, (t1 - t0) / n);
	return 0;
}
