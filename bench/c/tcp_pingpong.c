// SPDX-License-Identifier: GPL-2.0
// The TCP workload: a client and a server thread, both pinned to one CPU, on one loopback TCP
// connection (TCP_NODELAY), exchange a 64-byte request and a 64-byte response N times (after a 10%
// warm-up). Every round trip is two data segments, each sent and received (the ACKs ride on the
// data), so programs on tcp_probe (a received segment) and on cgroup_skb ingress and egress run in
// these threads: loopback delivers in the sender's context. Prints the mean ns per round trip in the
// process's CPU time (both threads; softirq time is charged to them on this kernel) and in wall time.
// Usage: tcp_pingpong N CPU
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long total;
static int cpu;

static double now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static int full(int fd, char *buf, int n, int reading)
{
	int done = 0;
	while (done < n) {
		int r = reading ? read(fd, buf + done, n - done) : write(fd, buf + done, n - done);
		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

static void *server(void *arg)
{
	int fd = *(int *)arg;
	char buf[64];
	pin();
	for (long i = 0; i < total; i++)
		if (full(fd, buf, 64, 1) || full(fd, buf, 64, 0)) {
			perror("server");
			exit(1);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tcp_pingpong N CPU\n");
		return 2;
	}
	long n = atol(argv[1]);
	cpu = atoi(argv[2]);
	total = n + n / 10;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1) || getsockname(ls, (struct sockaddr *)&a, &alen)) {
		perror("listen");
		return 1;
	}
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		return 1;
	}
	int s = accept(ls, NULL, NULL);
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pin();
	pthread_t t;
	pthread_create(&t, NULL, server, &s);
	char buf[64] = "request";
	for (long i = 0; i < n / 10; i++)
		if (full(c, buf, 64, 0) || full(c, buf, 64, 1))
			return 1;
	double c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++)
		if (full(c, buf, 64, 0) || full(c, buf, 64, 1))
			return 1;
	double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	pthread_join(t, NULL);
	printf("ops=%ld cpu_ns_per_op=%.2f wall_ns_per_op=%.2f\n", total, (c1 - c0) / n, (t1 - t0) / n);
	return 0;
}
