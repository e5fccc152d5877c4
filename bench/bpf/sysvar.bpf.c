// SPDX-License-Identifier: GPL-2.0
// Attribution of the syscalls probe's per-event cost (bench only). The agent's programs are
// sonde-agent/src/main/bpf/syscalls.bpf.c; the programs here are copies of them, cut down step by
// step, with the same maps (same types, sizes and layouts, from the agent's own headers):
//
//   count_enter           sys_enter: count per {cgroup id, syscall nr} in the per-CPU hash; no sys_exit
//   count_ts_enter        sys_enter as the agent's (count + entry timestamp in task storage); no sys_exit
//   full_enter/full_exit  the agent's two programs, unchanged
//   exit_count            proposed here, since made the agent's default (sys_exit_count): one program on sys_exit only (tp_btf), counting
//                         calls per {cgroup id, nr} (nr read from the registers) and failures per
//                         {cgroup, nr, errno}; no duration (exit_count_raw: the same on raw_tp)
//
// Loaded and attached by bench/java/SyscallsAttach.java, one variant at a time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "../../sonde-agent/src/main/bpf/sonde.h"
#include "../../sonde-agent/src/main/bpf/syscalls.h"

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

static __always_inline int enter(long id, int timestamp)
{
	struct syscall_key key = {};
	struct start *s;

	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.nr = id;
	count_percpu(&syscall_counts, &key);
	if (!timestamp)
		return 0;
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s) {
		s->ts = bpf_ktime_get_ns();
		s->nr = id;
	}
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(count_enter, struct pt_regs *regs, long id)
{
	return enter(id, 0);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(count_ts_enter, struct pt_regs *regs, long id)
{
	return enter(id, 1);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(full_enter, struct pt_regs *regs, long id)
{
	return enter(id, 1);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(full_exit, struct pt_regs *regs, long ret)
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

/* tp_btf: the registers are read directly, without a bpf_probe_read_kernel call */
SEC("tp_btf/sys_exit")
int BPF_PROG(exit_count, struct pt_regs *regs, long ret)
{
	struct syscall_key key = {};
	long id;

#if defined(__TARGET_ARCH_x86)
	id = regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	id = regs->syscallno;
#else
	return 0;
#endif
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

/* the same through raw_tp, where the registers need bpf_probe_read_kernel */
SEC("raw_tp/sys_exit")
int BPF_PROG(exit_count_raw, struct pt_regs *regs, long ret)
{
	struct syscall_key key = {};
	long id;

#if defined(__TARGET_ARCH_x86)
	id = BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	id = BPF_CORE_READ(regs, syscallno);
#else
	return 0;
#endif
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

// ---- finer attribution (bench/syscalls-attribution.sh only; not part of bench/run.sh) ----------

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCALL_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sink SEC(".maps");

static __always_inline void put(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&sink, &slot);
	if (p)
		*p += v;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(empty_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

/* a per-CPU array counter per syscall number, no cgroup: the cheapest count */
SEC("raw_tp/sys_enter")
int BPF_PROG(array_enter, struct pt_regs *regs, long id)
{
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	put(id, 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(cgroup_enter, struct pt_regs *regs, long id)
{
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	put(id, bpf_get_current_cgroup_id());
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(ktime_enter, struct pt_regs *regs, long id)
{
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	put(id, bpf_ktime_get_ns());
	return 0;
}

/* the task storage write alone, no clock */
SEC("raw_tp/sys_enter")
int BPF_PROG(storage_enter, struct pt_regs *regs, long id)
{
	struct start *s;

	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s) {
		s->ts = 1;
		s->nr = id;
	}
	return 0;
}

/* the exit side's floor: find the thread's start and clear it, nothing else */
SEC("raw_tp/sys_exit")
int BPF_PROG(lookup_exit, struct pt_regs *regs, long ret)
{
	struct start *s;

	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->ts)
		return 0;
	s->ts = 0;
	return 0;
}

/* the exit side up to the duration, no histogram */
SEC("raw_tp/sys_exit")
int BPF_PROG(delta_exit, struct pt_regs *regs, long ret)
{
	struct start *s;
	__u64 delta;

	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->ts)
		return 0;
	delta = bpf_ktime_get_ns() - s->ts;
	s->ts = 0;
	put(s->nr, delta);
	return 0;
}

/* the default hook with nothing on it: the floor of any design that counts at sys_exit */
SEC("tp_btf/sys_exit")
int BPF_PROG(empty_exit_btf, struct pt_regs *regs, long ret)
{
	return 0;
}

/* a per-CPU array counter per syscall number at sys_exit, no cgroup: the cheapest count there */
SEC("tp_btf/sys_exit")
int BPF_PROG(array_exit_btf, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;

	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	put(id, 1);
	return 0;
}

/* exit_count with the cgroup id read through the task's BTF pointers instead of the helper */
SEC("tp_btf/sys_exit")
int BPF_PROG(exit_count_walk, struct pt_regs *regs, long ret)
{
	struct syscall_key key = {};
	long id = regs->orig_ax;

	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	key.cgroup_id = bpf_get_current_task_btf()->cgroups->dfl_cgrp->kn->id;
	key.nr = id;
	count_percpu(&syscall_counts, &key);
	return 0;
}
