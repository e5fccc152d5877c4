// SPDX-License-Identifier: GPL-2.0
// syscalls: by default one program on sys_exit (sys_exit_count) counts every system call per cgroup and
// syscall, and every failure per cgroup, syscall and errno (calls that never return, exit and
// exit_group, go uncounted). With latency on, sys_enter counts at entry and stamps the time, and
// sys_exit puts the duration into a log2 histogram per syscall: about three times the cost per call.
// Slow-syscall events (off by default) have a sys_enter/sys_exit pair of their own, slow_enter and
// slow_exit, which the agent attaches only while the events are on, so the default costs the same.
//
// Calls are counted first in a per-CPU array of the cgroup that last made one on that CPU (`pending`),
// which costs no helper call and no hash lookup; its counts move into the hash `syscall_counts` when
// another cgroup makes a call on that CPU, or when its list of syscalls seen fills up. The agent reads
// the hash, then `pending` twice, and adds to the hash the pending counts of each CPU whose cgroup and
// `seq` were the same in both reads: a move raises `seq` before it touches anything else, so a read
// torn by a move (one cgroup's id with another's counts) is left out. A move zeroes the pending count
// before it adds it to the hash, so a read that races with one can only come out short, never double,
// and the agent keeps each series from going back (SyscallsProbe).
//
// Under sampling (sonde.h sampled_out) each counted call and failure adds N, so the maps hold the
// estimate itself and a change of rate needs no bookkeeping in the agent.
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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_pending);
} pending SEC(".maps");

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

/* The cgroup of the current task, read through its BTF pointers (what bpf_get_current_cgroup_id reads,
 * without the helper call). */
static __always_inline __u64 current_cgroup(void)
{
	return bpf_get_current_task_btf()->cgroups->dfl_cgrp->kn->id;
}

/* What a counted call or failure adds: 1, or N when one in N is counted. */
static __always_inline __u64 weight(void)
{
	return sample_every > 1 ? sample_every : 1;
}

/* Adds n to the per-CPU hash counter of key, creating it when missing. */
static __always_inline void add_count(void *map, const void *key, __u64 n)
{
	static const __u64 zero;
	__u64 *count = lookup_or_init(map, key, &zero);

	if (count)
		*count += n;
}

/* Moves this CPU's pending counts into syscall_counts: each is zeroed before it is added, so that a
 * reader racing with the move misses it once rather than counting it twice. */
static __always_inline void flush(struct syscall_pending *p)
{
	struct syscall_key key = {.cgroup_id = p->cgroup_id};
	__u32 n = p->ndirty;

	__sync_fetch_and_add(&p->seq, 1); /* first, and a barrier: the agent's reads see it before the rest */

	for (__u32 i = 0; i < PENDING_DIRTY && i < n; i++) {
		__u32 nr = p->dirty[i] & (SYSCALL_MAX - 1);
		__u64 c = p->counts[nr];

		p->counts[nr] = 0;
		barrier();
		key.nr = nr;
		add_count(&syscall_counts, &key, c);
	}
	p->ndirty = 0;
}

/* Counts one call of syscall nr (below SYSCALL_MAX) by cgroup cg. */
static __always_inline void count_call(__u64 cg, __u32 nr)
{
	__u32 zero = 0;
	struct syscall_pending *p = bpf_map_lookup_elem(&pending, &zero);

	if (!p)
		return;
	nr &= SYSCALL_MAX - 1;
	if (p->cgroup_id != cg) {
		flush(p);
		p->cgroup_id = cg;
	}
	if (!p->counts[nr]) {
		if (p->ndirty >= PENDING_DIRTY)
			flush(p);
		p->dirty[p->ndirty & (PENDING_DIRTY - 1)] = nr;
		p->ndirty += 1;
	}
	p->counts[nr] += weight();
}

/* Counts one failure of syscall nr by cgroup cg with return value ret, when ret is an errno. */
static __always_inline void count_error(__u64 cg, __u32 nr, long ret)
{
	if (ret < 0 && ret >= -4095) {
		struct syscall_error_key key = {.cgroup_id = cg, .nr = nr, .err = -ret};

		add_count(&syscall_errors, &key, weight());
	}
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct start *s;

	if (sampled_out())
		return 0;
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	count_call(current_cgroup(), id);
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
	count_error(current_cgroup(), nr, ret);
	return 0;
}

/* A BTF tracepoint reads the saved registers directly, where a raw one needs a probe read: about 5 ns
 * less per syscall, which is most of the margin against the cost goal (bench/RESULTS.md). */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_count, struct pt_regs *regs, long ret)
{
	__u64 cg;
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
	cg = current_cgroup();
	count_call(cg, id);
	count_error(cg, id, ret);
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
