// SPDX-License-Identifier: GPL-2.0
// syscalls: by default one program on sys_exit (sys_exit_count) counts every system call per cgroup and
// syscall, and every failure per cgroup, syscall and errno (calls that never return, exit and
// exit_group, go uncounted). With latency on, sys_enter counts at entry and stamps the time, and
// sys_exit puts the duration into a log2 histogram per syscall: about three times the cost per call.
// Slow-syscall events (off by default) have a sys_enter/sys_exit pair of their own, slow_enter and
// slow_exit, which the agent attaches only while the events are on, so the default costs the same.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define SONDE_EVENTS
#define SONDE_SAMPLED
#include "sonde.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_key);
	__type(value, __u64);
} syscall_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_error_key);
	__type(value, __u64);
} syscall_errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCALL_MAX);
	__type(key, __u32);
	__type(value, struct hist);
} syscall_latency SEC(".maps");

/* the syscall a thread is in, and since when */
struct start {
	__u64 ts;
	__u32 nr;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct start);
} starts SEC(".maps");

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct syscall_key key = {};
	struct start *s;

	if (sampled_out())
		return 0;
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.nr = id;
	count_percpu(&syscall_counts, &key);
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s) {
		s->ts = bpf_ktime_get_ns();
		s->nr = id;
	}
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	struct start *s;
	struct hist *h;
	__u64 delta;
	__u32 nr;

	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->ts)
		return 0;
	delta = bpf_ktime_get_ns() - s->ts;
	nr = s->nr;
	s->ts = 0;
	if (nr >= SYSCALL_MAX)
		return 0;
	h = bpf_map_lookup_elem(&syscall_latency, &nr);
	if (h) {
		h->slots[log2_slot(delta)] += 1;
		h->sum_ns += delta;
	}
	if (ret < 0 && ret >= -4095) {
		struct syscall_error_key ekey = {
			.cgroup_id = bpf_get_current_cgroup_id(),
			.nr = nr,
			.err = -ret,
		};
		count_percpu(&syscall_errors, &ekey);
	}
	return 0;
}

/* A BTF tracepoint reads the saved registers directly, where a raw one needs a probe read: about 5 ns
 * less per syscall, which is most of the margin against the cost goal (bench/RESULTS.md). */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_count, struct pt_regs *regs, long ret)
{
	struct syscall_key key = {};
#if defined(__TARGET_ARCH_x86)
	long id = regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	long id = regs->syscallno;
#else
	long id = -1;
#endif

	if (sampled_out())
		return 0;
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.nr = id;
	count_percpu(&syscall_counts, &key);
	if (ret < 0 && ret >= -4095) {
		struct syscall_error_key ekey = {
			.cgroup_id = key.cgroup_id,
			.nr = id,
			.err = -ret,
		};
		count_percpu(&syscall_errors, &ekey);
	}
	return 0;
}

/* Slow-syscall events: the threshold and the filter are run-time settings (.data and .bss are mapped
 * writable); the filter is checked at entry, so filtered-out threads are not even stamped. */
__u64 slow_threshold_ns = 10000000;
__u32 slow_pid = 0;      /* 0: any process */
__u64 slow_cgroup = 0;   /* 0: any cgroup */

struct slow_start {
	__u64 ts;
	__u32 nr;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct slow_start);
} slow_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} syscall_events SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(slow_enter, struct pt_regs *regs, long id)
{
	struct slow_start *s;

	if (slow_pid && (__u32)(bpf_get_current_pid_tgid() >> 32) != slow_pid)
		return 0;
	if (slow_cgroup && bpf_get_current_cgroup_id() != slow_cgroup)
		return 0;
	s = bpf_task_storage_get(&slow_starts, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s) {
		s->ts = bpf_ktime_get_ns();
		s->nr = id;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(slow_exit, struct pt_regs *regs, long ret)
{
	struct syscall_event *e;
	struct slow_start *s;
	__u64 now, delta, id;

	s = bpf_task_storage_get(&slow_starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->ts)
		return 0;
	now = bpf_ktime_get_ns();
	delta = now - s->ts;
	s->ts = 0;
	if (delta < slow_threshold_ns)
		return 0;
	e = sonde_ringbuf_reserve(&syscall_events, sizeof(*e));
	if (!e)
		return 0;
	id = bpf_get_current_pid_tgid();
	e->ts_ns = now;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->nr = s->nr;
	e->pad = 0;
	e->ret = ret;
	e->latency_ns = delta;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
