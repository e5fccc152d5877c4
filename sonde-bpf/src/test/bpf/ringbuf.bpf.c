// SPDX-License-Identifier: GPL-2.0
// Test producer: each getppid() of the target thread writes `burst` records into the ring.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct record {
	__u64 seq;
	__u32 tid;
	__u32 len;
	__u8 payload[]; // (len - 16) bytes of (seq + i) & 0xff
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps"); // 0: produced, 1: reservations that failed

const volatile __u32 target_tid = 0;
const volatile __u32 burst = 1;
const volatile __u32 record_size = 16; // 16 or 256
const volatile __u32 discard_every = 0; // when set, every record whose seq is a multiple is discarded

__u64 seq = 0;

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
}

static long produce(__u64 index, void *ctx)
{
	__u32 size = record_size;
	struct record *r;

	if (size < 16 || size > 256)
		return 1;
	r = bpf_ringbuf_reserve(&events, size == 16 ? 16 : 256, 0);
	if (!r) {
		bump(1);
		return 0;
	}
	r->seq = __sync_fetch_and_add(&seq, 1);
	r->tid = target_tid;
	r->len = size;
	if (size > 16) {
		for (int i = 0; i < 240; i++)
			r->payload[i] = (__u8)(r->seq + i);
	}
	if (discard_every && r->seq % discard_every == 0) {
		bpf_ringbuf_discard(r, 0);
		return 0;
	}
	bpf_ringbuf_submit(r, 0);
	bump(0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int produce_records(void *ctx)
{
	if ((__u32)bpf_get_current_pid_tgid() != target_tid)
		return 0;
	bpf_loop(burst, produce, NULL, 0);
	return 0;
}
