// SPDX-License-Identifier: GPL-2.0
// The context-switch workload: two threads pinned to the same CPU pass one byte back and forth over
// two pipes N times (after a 10% warm-up). Every round trip is two wakeups and at least two context
// switches (a thread writes, wakes the other, then blocks on its read), so a program on the scheduler
// tracepoints runs in these threads. Prints the mean ns per round trip in wall time, in the process's
// CPU time (both threads; they share one CPU and never leave it idle, so the two agree unless other
// work preempts them) and in each thread's own CPU time, and the threads' context switches (getrusage
// RUSAGE_THREAD: voluntary + involuntary) during the timed round trips.
// Usage: pingpong N [CPU]     (CPU: pin both threads to it; default: leave the affinity alone)
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int ab[2], ba[2]; // a -> b, b -> a
static long total;       // round trips, warm-up included
static double b_cpu_ns;  // thread b's CPU time over the timed part
static long b_switches;

static double now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long switches(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void pin(int cpu)
{
	cpu_set_t set;
	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

static void xread(int fd, char *c)
{
	if (read(fd, c, 1) != 1) {
		perror("read");
		exit(1);
	}
}

static void xwrite(int fd, char c)
{
	if (write(fd, &c, 1) != 1) {
		perror("write");
		exit(1);
	}
}

static int cpu_arg = -1;

// b: echoes every byte; times its own CPU over the timed part (from the first timed byte to the end)
static void *echo(void *arg)
{
	long warm = *(long *)arg;
	char c;
	double c0 = 0;
	long s0 = 0;
	pin(cpu_arg);
	for (long i = 0; i < total; i++) {
		xread(ab[0], &c);
		if (i == warm) {
			c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
			s0 = switches();
		}
		xwrite(ba[1], c);
	}
	b_cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	b_switches = switches() - s0;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pingpong N [CPU]\n");
		return 2;
	}
	long n = atol(argv[1]);
	long warm = n / 10;
	if (argc == 3)
		cpu_arg = atoi(argv[2]);
	total = n + warm;
	if (pipe(ab) || pipe(ba)) {
		perror("pipe");
		return 1;
	}
	pin(cpu_arg);
	pthread_t t;
	if (pthread_create(&t, NULL, echo, &warm)) {
		perror("pthread_create");
		return 1;
	}
	char c = 'x';
	for (long i = 0; i < warm; i++) { // warm up: caches, branch predictors, CPU frequency
		xwrite(ab[1], c);
		xread(ba[0], &c);
	}
	double p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), a0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
	long s0 = switches();
	for (long i = 0; i < n; i++) {
		xwrite(ab[1], c);
		xread(ba[0], &c);
	}
	double t1 = now_ns(CLOCK_MONOTONIC), a1 = now_ns(CLOCK_THREAD_CPUTIME_ID), p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	long a_switches = switches() - s0;
	pthread_join(t, NULL);
	printf("round_trips=%ld timed=%ld wall_ns_per_rt=%.1f cpu_ns_per_rt=%.1f a_cpu_ns_per_rt=%.1f "
	       "b_cpu_ns_per_rt=%.1f switches=%ld\n",
	       total, n, (t1 - t0) / n, (p1 - p0) / n, (a1 - a0) / n, b_cpu_ns / n, a_switches + b_switches);
	return 0;
}
