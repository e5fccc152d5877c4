// SPDX-License-Identifier: GPL-2.0
// Test programs: one counter per attach kind, each counting only what the test's own thread does.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

enum { TP, RAW_TP, BTF_TP, UPROBE, URETPROBE, PERF, GLOBAL_RW, SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

// perf event samples, per CPU
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} samples SEC(".maps");

// the thread whose calls count, set before load
const volatile __u32 target_tid = 0;
// the syscall number the raw and BTF tracepoints count (getppid), set before load
const volatile __u32 target_nr = 0;
// a .bss variable the agent may change at run time: added to every count when non-zero
__u64 increment = 0;

static __always_inline int mine(void)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);
	if (v)
		__sync_fetch_and_add(v, increment ? increment : 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_tp(void *ctx)
{
	if (mine())
		bump(TP);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int count_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	if (mine() && ctx->args[1] == target_nr)
		bump(RAW_TP);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(count_btf_tp, struct pt_regs *regs, long id)
{
	if (mine() && id == target_nr)
		bump(BTF_TP);
	return 0;
}

SEC("uprobe")
int count_uprobe(void *ctx)
{
	if (mine())
		bump(UPROBE);
	return 0;
}

SEC("uretprobe")
int count_uretprobe(void *ctx)
{
	if (mine())
		bump(URETPROBE);
	return 0;
}

SEC("perf_event")
int count_perf(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&samples, &zero);

	if (v)
		*v += 1;
	return 0;
}
