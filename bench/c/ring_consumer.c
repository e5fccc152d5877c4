// SPDX-License-Identifier: GPL-2.0
// The C baseline of the ring-buffer benchmark: libbpf's ring_buffer__consume / ring_buffer__poll on
// the same producer object (ringprod.bpf.o, embedded by a bpftool skeleton) that RingBench.java
// loads. Per record it does what the Java consumer does: reads seq (offset 0) and the tail
// (offset len-8), checks order and integrity, sums seq.
//
// Usage: ring_consumer COLD16 COLD256 COLD_ITERATIONS COLD_WARMUP HOT16 HOT256 HOT_ITERATIONS HOT_WARMUP
//                      CONC16 CONC256
// Prints one RESULT line per (size, mode).
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ringprod.skel.h"

#define FILL_BURST 1000
#define CONC_BURST 256
#define CONC_PASSES 3 // timed concurrent passes, after one quarter-size warm-up pass

static struct ringprod *skel;

struct tally {
	uint64_t expected; // next seq
	uint64_t received;
	uint64_t sum;
	uint64_t errors;
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct tally *t = ctx;
	uint64_t seq, tail;
	memcpy(&seq, data, 8);
	memcpy(&tail, (char *)data + len - 8, 8);
	if (seq != t->expected || tail != ~seq)
		t->errors++;
	t->expected = seq + 1;
	t->sum += seq;
	t->received++;
	return 0;
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "ring_consumer: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}


struct producer_arg {
	uint64_t calls;
	atomic_int ready, go, done;
	uint64_t cpu_ns; // the producer thread's CPU time while producing
};

static void *producer(void *p)
{
	struct producer_arg *a = p;
	skel->bss->target_tid = (uint32_t)gettid();
	atomic_store(&a->ready, 1);
	while (!atomic_load(&a->go))
		;
	uint64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (uint64_t i = 0; i < a->calls; i++)
		syscall(SYS_getppid);
	a->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	atomic_store(&a->done, 1);
	return NULL;
}

// Fills the ring with `fill` records while nothing consumes (this thread is the producer), then
// times one ring_buffer__consume() that takes them all; `warmup` untimed rounds first.
static void drain(struct ring_buffer *rb, struct tally *t, int size, const char *mode, uint64_t fill, int warmup,
		  int iterations)
{
	uint64_t ns = 0, records = 0, lost0 = 0, produced0 = 0, errors0 = 0;
	skel->bss->target_tid = (uint32_t)gettid();
	skel->bss->burst = FILL_BURST;
	for (int i = 0; i < warmup + iterations; i++) {
		if (i == warmup) {
			lost0 = skel->bss->lost;
			produced0 = skel->bss->produced;
			errors0 = t->errors;
		}
		for (uint64_t c = 0; c < fill / FILL_BURST; c++)
			syscall(SYS_getppid);
		uint64_t before = t->received, t0 = now_ns(CLOCK_MONOTONIC);
		int n = ring_buffer__consume(rb);
		uint64_t t1 = now_ns(CLOCK_MONOTONIC);
		if (n < 0)
			die("ring_buffer__consume", n);
		if (i >= warmup) {
			ns += t1 - t0;
			records += t->received - before;
		}
	}
	printf("RESULT consumer=c size=%d mode=%s records=%" PRIu64 " ns=%" PRIu64 " cpu_ns=%" PRIu64 " produced=%" PRIu64
	       " lost=%" PRIu64 " errors=%" PRIu64 "\n",
	       size, mode, records, ns, ns, (uint64_t)(skel->bss->produced - produced0),
	       (uint64_t)(skel->bss->lost - lost0), t->errors - errors0);
}

int main(int argc, char **argv)
{
	if (argc != 11) {
		fprintf(stderr, "usage: ring_consumer COLD16 COLD256 COLD_ITERATIONS COLD_WARMUP HOT16 HOT256 "
				"HOT_ITERATIONS HOT_WARMUP CONC16 CONC256\n");
		return 2;
	}
	uint64_t cold[2] = {strtoull(argv[1], NULL, 10), strtoull(argv[2], NULL, 10)};
	int cold_iterations = atoi(argv[3]), cold_warmup = atoi(argv[4]);
	uint64_t hot[2] = {strtoull(argv[5], NULL, 10), strtoull(argv[6], NULL, 10)};
	int hot_iterations = atoi(argv[7]), hot_warmup = atoi(argv[8]);
	uint64_t conc[2] = {strtoull(argv[9], NULL, 10), strtoull(argv[10], NULL, 10)};
	int sizes[2] = {16, 256};

	skel = ringprod__open_and_load();
	if (!skel)
		die("open and load ringprod", errno);
	struct tally t = {0};
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.ring), on_record, &t, NULL);
	if (!rb)
		die("ring_buffer__new", errno);

	for (int s = 0; s < 2; s++) {
		struct bpf_link *link = bpf_program__attach(s == 0 ? skel->progs.produce16 : skel->progs.produce256);
		if (!link)
			die("attach", errno);

		drain(rb, &t, sizes[s], "drain-hot", hot[s], hot_warmup, hot_iterations);
		drain(rb, &t, sizes[s], "drain-cold", cold[s], cold_warmup, cold_iterations);

		// concurrent: a producer thread at full speed, this thread polling; a quarter-size pass first
		skel->bss->burst = CONC_BURST;
		for (int pass = 0; pass <= CONC_PASSES; pass++) {
			struct producer_arg a = {.calls = (pass == 0 ? conc[s] / 4 : conc[s]) / CONC_BURST};
			pthread_t th;
			uint64_t lost0 = skel->bss->lost, produced0 = skel->bss->produced, errors0 = t.errors;
			uint64_t before = t.received;
			pthread_create(&th, NULL, producer, &a);
			while (!atomic_load(&a.ready))
				;
			uint64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
			atomic_store(&a.go, 1);
			for (;;) {
				int n = ring_buffer__poll(rb, 100);
				if (n < 0 && n != -EINTR)
					die("ring_buffer__poll", n);
				if (atomic_load(&a.done) && t.expected == skel->bss->produced)
					break;
			}
			uint64_t t1 = now_ns(CLOCK_MONOTONIC), cpu1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
			pthread_join(th, NULL);
			if (pass > 0)
				printf("RESULT consumer=c size=%d mode=concurrent records=%" PRIu64 " ns=%" PRIu64 " cpu_ns=%" PRIu64
				       " producer_cpu_ns=%" PRIu64 " produced=%" PRIu64 " lost=%" PRIu64 " errors=%" PRIu64 "\n",
				       sizes[s], t.received - before, t1 - t0, cpu1 - cpu0, a.cpu_ns,
				       (uint64_t)(skel->bss->produced - produced0), (uint64_t)(skel->bss->lost - lost0),
				       t.errors - errors0);
		}
		fflush(stdout);
		bpf_link__destroy(link);
	}
	printf("CHECK consumer=c sum=%" PRIu64 " received=%" PRIu64 "\n", t.sum, t.received);
	ring_buffer__free(rb);
	ringprod__destroy(skel);
	return 0;
}
