// SPDX-License-Identifier: GPL-2.0
// Per-event cost: the same count of getppid() calls on three hooks, as bpftrace's `@c = count()`
// does it (a per-CPU counter, no filter other than the syscall).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

const volatile long target_nr = 0; // getppid's number, set before load

static __always_inline void bump(void)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		(*v)++;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_tp(void *ctx)
{
	bump();
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int count_raw(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] == target_nr)
		bump();
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(count_btf, struct pt_regs *regs, long id)
{
	if (id == target_nr)
		bump();
	return 0;
}
