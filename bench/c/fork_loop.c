// SPDX-License-Identifier: GPL-2.0
// The process workload: N times fork(); the child exits at once with _exit(0) and the parent waits
// for it (after a 10% warm-up). Each iteration is one sched_process_fork (in the parent) and one
// sched_process_exit (in the child). Prints the mean ns per fork + exit + wait in CPU time (this
// process and its reaped children, from getrusage: the exit-side program runs in the child) and in
// wall time. Run it pinned to one CPU (taskset): the child inherits the affinity.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double cpu_ns(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) * 1e9 +
	       (self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) * 1e3;
}

static void one(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0)
		_exit(0);
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		perror("waitpid");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fork_loop N\n");
		return 2;
	}
	long n = atol(argv[1]);
	for (long i = 0; i < n / 10; i++)
		one();
	double c0 = cpu_ns(), t0 = now_ns();
	for (long i = 0; i < n; i++)
		one();
	double t1 = now_ns(), c1 = cpu_ns();
	printf("ops=%ld cpu_ns_per_op=%.2f wall_ns_per_op=%.2f\n", n + n / 10, (c1 - c0) / n, (t1 - t0) / n);
	return 0;
}
