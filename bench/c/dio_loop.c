// SPDX-License-Identifier: GPL-2.0
// The block workload: N synchronous 4 KiB O_DIRECT reads (queue depth 1) from a block device, at
// offsets walking through its first SPAN bytes (after a 10% warm-up). Each read is one request:
// block_io_start and block_rq_issue in this thread, the copy and block_rq_complete in kernel threads
// (for a loop device: its worker, an unbound kworker, then the BLOCK softirq, mostly in ksoftirqd).
//
// The figure (io_cpu_ns_per_op) is CPU time, not wall time: this thread's CPU plus the CPU of every
// kworker/ and ksoftirqd/ thread of the machine (sum_exec_runtime from /proc/PID/schedstat, ns; without
// steal time when the kernel has paravirt time accounting), per read. It counts the request's work
// wherever it runs, and not the idle gaps between the hand-offs (vCPU wake-ups, which change with the
// machine's load), nor other processes' work, nor kernel threads that never serve a read (kdamond, rcu,
// jbd2: they run on their own clock). The timed reads are cut into SEGMENTS segments, each measured on its
// own (the /proc scan between two segments is outside both); the figure is the median of the segments,
// so that a burst of other kernel-thread work (writeback, another device's completions) spoils one
// segment, not the figure. Also printed: the same as a mean over the whole run, its kernel-thread part,
// this thread's CPU alone, the wall time, and the median over chunks of 100 reads of the wall ns per
// read (median_ns_per_op, the figure before).
// Usage: dio_loop N DEVICE SPAN
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEGMENTS 10
#define CHUNK 100
#define PF_KTHREAD 0x00200000UL

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

static int slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

// kernel threads and their run time so far (ns); a table indexed by pid
struct kthreads {
	int max_pid;
	unsigned long long *ns; // 0: no kernel thread with that pid (or one that never ran)
	unsigned char *seen;
};

static void scan(struct kthreads *k)
{
	char path[64], buf[512];
	DIR *d = opendir("/proc");
	struct dirent *e;

	memset(k->seen, 0, k->max_pid + 1);
	while ((e = readdir(d))) {
		long pid = atol(e->d_name);
		if (pid <= 0 || pid > k->max_pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (slurp(path, buf, sizeof(buf)))
			continue;
		char *name = strchr(buf, '('), *p = strrchr(buf, ')'); // the name may hold spaces and parentheses
		unsigned long flags;
		if (!name || !p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1 || !(flags & PF_KTHREAD))
			continue;
		if (strncmp(name + 1, "kworker/", 8) && strncmp(name + 1, "ksoftirqd/", 10))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
		if (slurp(path, buf, sizeof(buf)))
			continue;
		k->ns[pid] = strtoull(buf, NULL, 10);
		k->seen[pid] = 1;
	}
	closedir(d);
}

// run time of kernel threads between two scans: a thread that appeared in between counts from zero, one
// that is gone no longer counts
static double kthread_delta(const struct kthreads *a, const struct kthreads *b)
{
	double s = 0;
	for (int pid = 1; pid <= b->max_pid; pid++) {
		if (!b->seen[pid])
			continue;
		unsigned long long before = a->seen[pid] ? a->ns[pid] : 0;
		if (b->ns[pid] > before)
			s += b->ns[pid] - before;
	}
	return s;
}

static void kthreads_init(struct kthreads *k, int max_pid)
{
	k->max_pid = max_pid;
	k->ns = calloc(max_pid + 1, sizeof(*k->ns));
	k->seen = calloc(max_pid + 1, 1);
	if (!k->ns || !k->seen) {
		perror("calloc");
		exit(1);
	}
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
	char line[32];
	int max_pid = 4194304;
	if (!slurp("/proc/sys/kernel/pid_max", line, sizeof(line)))
		max_pid = atoi(line);
	struct kthreads k[2];
	kthreads_init(&k[0], max_pid);
	kthreads_init(&k[1], max_pid);

	long b = 0;
	for (long i = 0; i < n / 10; i++, b = (b + 1) % blocks)
		if (pread(fd, buf, 4096, b * 4096) != 4096) {
			perror("pread");
			return 1;
		}
	// segments of whole chunks: SEGMENTS of them, the last one takes what is left
	long chunks = n / CHUNK > 0 ? n / CHUNK : 1, nchunk = 0;
	long per_segment = (chunks >= SEGMENTS ? chunks / SEGMENTS : 1) * CHUNK;
	double *chunk = calloc(chunks, sizeof(*chunk));
	double seg[SEGMENTS + 1];
	int nseg = 0, cur = 0;
	double cpu = 0, wall = 0, kernel = 0;
	long i = 0;
	scan(&k[cur]);
	while (i < n) {
		long end = nseg == SEGMENTS - 1 ? n : i + per_segment;
		if (end > n)
			end = n;
		long reads = end - i;
		double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC), tc = t0;
		for (; i < end; i++, b = (b + 1) % blocks) {
			if (pread(fd, buf, 4096, b * 4096) != 4096) {
				perror("pread");
				return 1;
			}
			if ((i + 1) % CHUNK == 0 && nchunk < chunks) {
				double t = now_ns(CLOCK_MONOTONIC);
				chunk[nchunk++] = (t - tc) / CHUNK;
				tc = t;
			}
		}
		double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		scan(&k[!cur]);
		double kt = kthread_delta(&k[cur], &k[!cur]);
		cur = !cur;
		seg[nseg++] = (c1 - c0 + kt) / reads;
		cpu += c1 - c0;
		wall += t1 - t0;
		kernel += kt;
	}
	qsort(chunk, nchunk, sizeof(*chunk), cmp);
	qsort(seg, nseg, sizeof(*seg), cmp);
	double seg_median = nseg % 2 ? seg[nseg / 2] : (seg[nseg / 2 - 1] + seg[nseg / 2]) / 2;
	printf("ops=%ld io_cpu_ns_per_op=%.2f io_cpu_mean_ns_per_op=%.2f kthread_ns_per_op=%.2f cpu_ns_per_op=%.2f "
	       "wall_ns_per_op=%.2f median_ns_per_op=%.2f segments=%d\n",
	       n + n / 10, seg_median, (cpu + kernel) / n, kernel / n, cpu / n, wall / n,
	       nchunk ? chunk[nchunk / 2] : wall / n, nseg);
	return 0;
}
