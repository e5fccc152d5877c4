// SPDX-License-Identifier: GPL-2.0
// The per-event workload: N calls of syscall(SYS_getppid), timed; prints the mean ns per call, both
// in this thread's CPU time (what the calls cost, unaffected by preemption: a BPF program on the
// syscall path runs in this thread and counts here) and in wall time.
// Usage: getppid_loop N      (or: getppid_loop --nr, which prints getppid's syscall number)
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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
	if (argc == 2 && strcmp(argv[1], "--nr") == 0) {
		printf("%d\n", SYS_getppid);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: getppid_loop N | --nr\n");
		return 2;
	}
	long n = atol(argv[1]);
	for (long i = 0; i < n / 10; i++) // warm up: caches, branch predictors, CPU frequency
		syscall(SYS_getppid);
	double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	printf("calls=%ld cpu_ns_per_call=%.2f wall_ns_per_call=%.2f\n", n + n / 10, (c1 - c0) / n, (t1 - t0) / n);
	return 0;
}
