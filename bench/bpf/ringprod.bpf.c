// SPDX-License-Identifier: GPL-2.0
// Benchmark producer: each getppid() of the target thread writes `burst` records into a 64 MiB ring.
// Record layout (both sizes): u64 seq at offset 0, u64 ~seq in the last 8 bytes; the consumer
// checks both, so it reads the head and the tail of every record.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} ring SEC(".maps");

// .bss: set by the consumer after load (the producer thread changes between modes)
__u32 target_tid;
__u32 burst;
// only the target thread runs the loop, so plain increments are exact
__u64 produced; // records submitted; also the next record's seq
__u64 lost;     // reservations that failed (ring full)

#define PRODUCER(SIZE)                                                         \
	static long put##SIZE(__u64 index, void *ctx)                          \
	{                                                                      \
		__u64 *r = bpf_ringbuf_reserve(&ring, SIZE, 0);                \
		if (!r) {                                                      \
			lost++;                                                \
			return 0;                                              \
		}                                                              \
		__u64 seq = produced++;                                        \
		r[0] = seq;                                                    \
		r[SIZE / 8 - 1] = ~seq;                                        \
		bpf_ringbuf_submit(r, 0);                                      \
		return 0;                                                      \
	}                                                                      \
	SEC("tracepoint/syscalls/sys_enter_getppid")                           \
	int produce##SIZE(void *ctx)                                           \
	{                                                                      \
		if ((__u32)bpf_get_current_pid_tgid() != target_tid)           \
			return 0;                                              \
		bpf_loop(burst, put##SIZE, NULL, 0);                           \
		return 0;                                                      \
	}

PRODUCER(16)
PRODUCER(256)
