// SPDX-License-Identifier: GPL-2.0
// File workloads, timed after a 10% warm-up; prints the mean ns per operation in this thread's CPU
// time and in wall time.
//   file_loop open N PATH   N times openat(PATH, O_RDONLY) + close: one sys_exit_openat per operation
//   file_loop rw N DIR      N times: open DIR/file_loop.<pid> (created once), write 4 KiB at 0, read
//                           them back, close (page cache: no fsync): the file I/O workload of the slowdown benchmark
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static char buf[4096];

static void one_open(const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static void one_rw(const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDWR | O_CREAT, 0600);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf) || pread(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
		perror("write/pread");
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "open") && strcmp(argv[1], "rw"))) {
		fprintf(stderr, "usage: file_loop open N PATH | file_loop rw N DIR\n");
		return 2;
	}
	int rw = strcmp(argv[1], "rw") == 0;
	long n = atol(argv[2]);
	char path[4096];
	if (rw)
		snprintf(path, sizeof(path), "%s/file_loop.%d", argv[3], getpid());
	else
		snprintf(path, sizeof(path), "%s", argv[3]);
	memset(buf, 'x', sizeof(buf));
	for (long i = 0; i < n / 10; i++)
		rw ? one_rw(path) : one_open(path);
	double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++)
		rw ? one_rw(path) : one_open(path);
	double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (rw)
		unlink(path);
	printf("ops=%ld cpu_ns_per_op=%.2f wall_ns_per_op=%.2f\n", n + n / 10, (c1 - c0) / n, (t1 - t0) / n);
	return 0;
}
