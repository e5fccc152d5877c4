// SPDX-License-Identifier: GPL-2.0
// sched: per cgroup, run-queue latency (from wakeup, or preemption while runnable, to running again)
// as a log2 histogram, on-CPU time, and voluntary/involuntary context switches, from sched_wakeup,
// sched_wakeup_new and sched_switch. Each handler has a BTF-tracepoint variant (typed task pointers,
// what it keeps on a task in task storage) and a raw-tracepoint one (CO-RE reads, a hash by thread
// id instead); the agent loads one.
//
// Under the overhead budget the run-queue latency is sampled: one wait in N is timed (sonde.h
// sampled_out); CPU time and switches are always counted in full.
//
// Some switches reach no tracepoint on some kernels (ours skips those away from a few of PID 1's
// threads), so CPU time is charged per task (what it gained since last charged), never assumed from
// the previous switch on the CPU.
//
// The scheduler keeps its own enqueue stamp (sched_info.last_queued), but reads it against a run-queue
// clock whose update it skips right after a wakeup, so that waits ending in a wakeup preemption read
// as zero; the probe stamps wakeups with its own clock instead.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define SONDE_SAMPLED
#include "sonde.h"
#include "sched.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0

/* Allocated per cgroup on first use (no preallocation: a per-CPU value times every CPU times the
 * capacity would be large on big hosts); removed cgroups are deleted by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct cgroup_cpu);
} cgroup_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct hist);
} runq_latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct running);
} running SEC(".maps");

/* What the probe keeps on each task. */
struct task_sched {
	__u64 enqueued_ns; /* when it became runnable (bpf_ktime_get_ns); 0 once it ran */
	__u64 charged;     /* its se.sum_exec_runtime as far as it is charged (in cgroup_cpu or a pending slot) */
	__u64 nvcsw;       /* its voluntary switches (nvcsw) when last charged */
	__u64 nivcsw;      /* and involuntary ones (nivcsw) */
	__u64 seen;        /* 0 in storage just created: the others not set yet */
};

/* per task (BTF variant) */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_sched);
} tasks SEC(".maps");

/* the same by thread id (raw variant: its task pointers are not typed, so task storage is out of
 * reach); LRU, so that the ids of exited threads age out. The agent shrinks it under the BTF variant. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct task_sched);
} tasks_by_tid SEC(".maps");

static const struct cgroup_cpu cgroup_cpu_zero;
static const struct hist hist_zero;
static const struct task_sched task_zero;

/* A task seen for the first time: what it did before is not charged. Returns whether it was new. */
static __always_inline int first_seen(struct task_sched *t, __u64 runtime, __u64 nvcsw, __u64 nivcsw)
{
	if (t->seen)
		return 0;
	t->charged = runtime;
	t->nvcsw = nvcsw;
	t->nivcsw = nivcsw;
	t->seen = 1;
	return 1;
}

/* Moves the waits a CPU's slot holds into runq_latency, each slot zeroed before it is added (as for the
 * charges, below). */
static __always_inline void move_waits(struct running *r)
{
	__u64 cgroup_id = r->wait_cgroup;
	struct hist *h;

	r->wait_cgroup = 0;
	r->nwaits = 0;
	barrier();
	if (!cgroup_id)
		return;
	h = lookup_or_init(&runq_latency, &cgroup_id, &hist_zero);
	for (__u32 i = 0; i < HIST_SLOTS; i++) {
		__u64 n = r->pending_waits.slots[i];

		r->pending_waits.slots[i] = 0;
		if (h)
			h->slots[i] += n;
	}
	__u64 sum = r->pending_waits.sum_ns;

	r->pending_waits.sum_ns = 0;
	if (h)
		h->sum_ns += sum;
}

/* Records one run-queue wait of a cgroup: in the CPU's slot while its waits are that cgroup's. */
static __always_inline void record_wait(struct running *r, __u64 cgroup_id, __u64 wait_ns)
{
	struct hist *h;

	if (r) {
		if (r->wait_cgroup != cgroup_id || r->nwaits >= SCHED_PENDING_MAX) {
			move_waits(r);
			barrier();
			r->wait_cgroup = cgroup_id;
		}
		r->pending_waits.slots[log2_slot(wait_ns)] += 1;
		r->pending_waits.sum_ns += wait_ns;
		r->nwaits += 1;
		return;
	}
	h = lookup_or_init(&runq_latency, &cgroup_id, &hist_zero);
	if (h) {
		h->slots[log2_slot(wait_ns)] += 1;
		h->sum_ns += wait_ns;
	}
}

/* Adds a charge to cgroup_cpu. */
static __always_inline void charge_map(__u64 cgroup_id, __u64 cpu_ns, __u64 voluntary, __u64 involuntary)
{
	struct cgroup_cpu *c = lookup_or_init(&cgroup_cpu, &cgroup_id, &cgroup_cpu_zero);

	if (!c)
		return;
	c->cpu_ns += cpu_ns;
	c->voluntary += voluntary;
	c->involuntary += involuntary;
}

/* Charges a cgroup for one switch out, in the CPU's pending charges while they are its own (switch
 * handlers run with interrupts off: nothing else on this CPU touches the slot meanwhile). Pending
 * charges are zeroed before they are added to cgroup_cpu, so that the agent, reading cgroup_cpu between
 * two reads of the slot, never counts them twice; a move during its read changes the slot, and it then
 * leaves that CPU's pending charges out until a later scrape. */
static __always_inline void charge(struct running *r, __u64 cgroup_id, __u64 cpu_ns, __u64 voluntary,
				   __u64 involuntary)
{
	struct cgroup_cpu moved;
	__u64 moved_cgroup;

	if (!r) {
		charge_map(cgroup_id, cpu_ns, voluntary, involuntary);
		return;
	}
	if (r->pending_cgroup == cgroup_id && r->npending < SCHED_PENDING_MAX) {
		r->pending.cpu_ns += cpu_ns;
		r->pending.voluntary += voluntary;
		r->pending.involuntary += involuntary;
		r->npending += 1;
		return;
	}
	moved = r->pending;
	moved_cgroup = r->pending_cgroup;
	r->pending = cgroup_cpu_zero;
	r->pending_cgroup = 0;
	r->npending = 0;
	barrier();
	if (moved_cgroup)
		charge_map(moved_cgroup, moved.cpu_ns, moved.voluntary, moved.involuntary);
	barrier();
	r->pending.cpu_ns = cpu_ns;
	r->pending.voluntary = voluntary;
	r->pending.involuntary = involuntary;
	r->npending = 1;
	barrier();
	r->pending_cgroup = cgroup_id;
}

/* The facts of one switch, read by each variant its own way. */
struct switch_args {
	__u64 now;
	__u64 prev_cgroup, prev_runtime, prev_nvcsw, prev_nivcsw;
	__u64 next_cgroup;
	__u32 prev_pid, next_pid;
	bool prev_runnable;
};

/*
 * prev leaves the CPU: the runtime and the switches (the kernel raised nvcsw if it blocked, nivcsw
 * otherwise, just before this tracepoint) it gained since last charged go to its cgroup; if still
 * runnable, it waits from now. next arrives: its wait ends. Charging runs per task, not per CPU slot,
 * so that a switch the kernel does not trace (it skips some) loses nothing: the next traced one
 * charges it. The CPU's slot is rewritten before the charge, so that the agent, seeing a slot
 * unchanged across its read of cgroup_cpu, knows that the slot's uncharged runtime is not in it, and
 * that the slot's pending charges (and waits, in runq_latency) are not in it either.
 */
static __always_inline void switched(struct switch_args *a, struct task_sched *prev, struct task_sched *next)
{
	__u32 zero = 0;
	struct running *r = bpf_map_lookup_elem(&running, &zero);
	__u64 delta = 0, voluntary = 0, involuntary = 0;
	int counted = 0;

	if (prev) {
		/* what it holds is of another task (a thread id reused under the raw variant): start over */
		if (a->prev_runtime < prev->charged || a->prev_nvcsw < prev->nvcsw || a->prev_nivcsw < prev->nivcsw)
			prev->seen = 0;
		if (!first_seen(prev, a->prev_runtime, a->prev_nvcsw, a->prev_nivcsw)) {
			delta = a->prev_runtime - prev->charged;
			voluntary = a->prev_nvcsw - prev->nvcsw;
			involuntary = a->prev_nivcsw - prev->nivcsw;
			counted = 1;
		}
		prev->charged = a->prev_runtime;
		prev->nvcsw = a->prev_nvcsw;
		prev->nivcsw = a->prev_nivcsw;
		if (a->prev_runnable) /* under sampling, only one wait in N is timed */
			prev->enqueued_ns = sampled_out() ? 0 : a->now;
	}
	if (next) {
		if (next->enqueued_ns && a->now > next->enqueued_ns)
			record_wait(r, a->next_cgroup, a->now - next->enqueued_ns);
		next->enqueued_ns = 0; /* a wakeup the probe misses must not reuse this stamp */
	}
	if (r) {
		r->cgroup_id = a->next_cgroup;
		r->charged = next ? next->charged : 0;
		r->since = a->now;
		r->pid = next ? a->next_pid : 0;
		r->seq += 1;
	}
	barrier();
	if (counted)
		charge(r, a->prev_cgroup, delta, voluntary, involuntary);
}

/* BTF tracepoints */

static __always_inline int enqueue_btf(struct task_struct *p, bool new_task)
{
	struct task_sched *t = bpf_task_storage_get(&tasks, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!t)
		return 0;
	if (!t->seen || new_task) {
		t->seen = 0;
		first_seen(t, p->se.sum_exec_runtime, p->nvcsw, p->nivcsw);
	}
	t->enqueued_ns = sampled_out() ? 0 : bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p)
{
	return enqueue_btf(p, false);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(wakeup_new_btf, struct task_struct *p)
{
	return enqueue_btf(p, true);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	struct switch_args a = {
		.now = bpf_ktime_get_ns(),
		.prev_pid = prev->pid,
		.next_pid = next->pid,
		/* preempted, or yielding: it waits on the run queue from now */
		.prev_runnable = preempt || prev_state == TASK_RUNNING,
	};
	struct task_sched *p = NULL, *n = NULL;

	if (a.prev_pid) {
		a.prev_cgroup = prev->cgroups->dfl_cgrp->kn->id;
		a.prev_runtime = prev->se.sum_exec_runtime;
		a.prev_nvcsw = prev->nvcsw;
		a.prev_nivcsw = prev->nivcsw;
		p = bpf_task_storage_get(&tasks, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	}
	if (a.next_pid) {
		a.next_cgroup = next->cgroups->dfl_cgrp->kn->id;
		n = bpf_task_storage_get(&tasks, next, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (n && !n->seen)
			first_seen(n, next->se.sum_exec_runtime, next->nvcsw, next->nivcsw);
	}
	switched(&a, p, n);
	return 0;
}

/* raw tracepoints: the same, with CO-RE reads */

static __always_inline struct task_sched *task_raw(__u32 tid)
{
	return lookup_or_init(&tasks_by_tid, &tid, &task_zero);
}

static __always_inline int enqueue_raw(struct task_struct *p, bool new_task)
{
	struct task_sched *t = task_raw(BPF_CORE_READ(p, pid));

	if (!t)
		return 0;
	if (!t->seen || new_task) { /* a new task may find what an exited one of its thread id left */
		t->seen = 0;
		first_seen(t, BPF_CORE_READ(p, se.sum_exec_runtime), BPF_CORE_READ(p, nvcsw), BPF_CORE_READ(p, nivcsw));
	}
	t->enqueued_ns = sampled_out() ? 0 : bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p)
{
	return enqueue_raw(p, false);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(wakeup_new_raw, struct task_struct *p)
{
	return enqueue_raw(p, true);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	struct switch_args a = {
		.now = bpf_ktime_get_ns(),
		.prev_pid = BPF_CORE_READ(prev, pid),
		.next_pid = BPF_CORE_READ(next, pid),
		.prev_runnable = preempt || prev_state == TASK_RUNNING,
	};
	struct task_sched *p = NULL, *n = NULL;

	if (a.prev_pid) {
		a.prev_cgroup = BPF_CORE_READ(prev, cgroups, dfl_cgrp, kn, id);
		a.prev_runtime = BPF_CORE_READ(prev, se.sum_exec_runtime);
		a.prev_nvcsw = BPF_CORE_READ(prev, nvcsw);
		a.prev_nivcsw = BPF_CORE_READ(prev, nivcsw);
		p = task_raw(a.prev_pid);
	}
	if (a.next_pid) {
		a.next_cgroup = BPF_CORE_READ(next, cgroups, dfl_cgrp, kn, id);
		n = task_raw(a.next_pid);
		if (n && !n->seen)
			first_seen(n, BPF_CORE_READ(next, se.sum_exec_runtime), BPF_CORE_READ(next, nvcsw),
				   BPF_CORE_READ(next, nivcsw));
	}
	switched(&a, p, n);
	return 0;
}
