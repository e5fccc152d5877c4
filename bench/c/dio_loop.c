// SPDX-License-Identifier: GPL-2.0
// The block workload: N synchronous 4 KiB O_DIRECT reads (queue depth 1) from a block device, at
// offsets walking through its first SPAN bytes (after a 10% warm-up). Each read is one request:
// block_io_start and block_rq_issue in this thread, block_rq_complete where the driver completes it
// (for a loop device, its worker). Prints the mean ns per read in wall time (the whole request path,
// the completion included) and in this thread's CPU time, and the median over chunks of 100 reads of
// the wall ns per read (median_ns_per_op: a burst of other work on the machine spoils a few chunks,
// not the figure).
// Usage: dio_loop N DEVICE SPAN
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: dio_loop N DEVICE SPAN\n");
		return 2;
	}
	long n = atol(argv[1]);
	long blocks = atol(argv[3]) / 4096;
	int fd = open(argv[2], O_RDONLY | O_DIRECT);
	if (fd < 0 || blocks < 1) {
		perror(argv[2]);
		return 1;
	}
	void *buf;
	if (posix_memalign(&buf, 4096, 4096))
		return 1;
	long b = 0;
	for (long i = 0; i < n / 10; i++, b = (b + 1) % blocks)
		if (pread(fd, buf, 4096, b * 4096) != 4096) {
			perror("pread");
			return 1;
		}
	long chunks = n / 100 > 0 ? n / 100 : 1, k = 0;
	double *chunk = calloc(chunks, sizeof(*chunk));
	double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC), tc = t0;
	for (long i = 0; i < n; i++, b = (b + 1) % blocks) {
		if (pread(fd, buf, 4096, b * 4096) != 4096) {
			perror("pread");
			return 1;
		}
		if ((i + 1) % 100 == 0 && k < chunks) {
			double t = now_ns(CLOCK_MONOTONIC);
			chunk[k++] = (t - tc) / 100;
			tc = t;
		}
	}
	double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	qsort(chunk, k, sizeof(*chunk), cmp);
	printf("ops=%ld cpu_ns_per_op=%.2f wall_ns_per_op=%.2f median_ns_per_op=%.2f\n", n + n / 10, (c1 - c0) / n,
	       (t1 - t0) / n, k ? chunk[k / 2] : (t1 - t0) / n);
	return 0;
}
