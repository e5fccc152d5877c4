// SPDX-License-Identifier: GPL-2.0
// process: execs per cgroup and command, forks per cgroup, process exits per cgroup and reason, and
// OOM kills per cgroup; exec, exit and OOM-kill records also go into a ring buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define SONDE_EVENTS
#include "sonde.h"
#include "process.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct exec_key);
	__type(value, __u64);
} exec_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u64);
} fork_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct exit_key);
	__type(value, __u64);
} exit_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} oom_counts SEC(".maps");

#define RING_BYTES (256 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} process_events SEC(".maps");

/* The consumer is woken only when the ring is filling up. A wakeup per record (an irq_work, then a
 * cross-CPU wakeup of the consumer thread) cost every exiting process about 17 us on a 2-CPU KVM guest,
 * as much as bpftrace's printf (bench/RESULTS.md, section 6). The agent's consumer (EventRing) polls
 * with a timeout and drains the ring at least twice a second, so a record waits at most that long;
 * past a quarter of the ring it is woken at once, so that a burst is not lost. OOM kills, rare, always
 * wake it. */

static __always_inline struct process_event *reserve(__u32 type, struct task_struct *task, __u64 cgroup_id)
{
	struct process_event *e = sonde_ringbuf_reserve(&process_events, sizeof(*e));

	if (!e)
		return NULL;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cgroup_id;
	e->type = type;
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = 0;
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	e->filename[0] = 0;
	return e;
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_key key = { .cgroup_id = bpf_get_current_cgroup_id() };
	struct process_event *e;

	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	count_percpu(&exec_counts, &key);
	e = reserve(EVENT_EXEC, task, key.cgroup_id);
	if (e) {
		unsigned int off = ctx->__data_loc_filename & 0xFFFF;
		bpf_probe_read_kernel_str(&e->filename, sizeof(e->filename), (void *)ctx + off);
		sonde_ringbuf_submit(&process_events, e, RING_BYTES);
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 cgroup_id;

	/* a new thread shares its creator's process: only new processes count */
	if (child->pid != child->tgid)
		return 0;
	cgroup_id = bpf_get_current_cgroup_id();
	count_percpu(&fork_counts, &cgroup_id);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task)
{
	struct exit_key key = { .cgroup_id = bpf_get_current_cgroup_id() };
	struct process_event *e;
	int code;

	/* threads exit one by one; the process has exited when the last of them does */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	if (code & 0x7f)
		key.reason = 0x100 | (code & 0x7f);
	else
		key.reason = (code >> 8) & 0xff ? 1 : 0;
	count_percpu(&exit_counts, &key);
	e = reserve(EVENT_EXIT, task, key.cgroup_id);
	if (e) {
		e->exit_code = code;
		sonde_ringbuf_submit(&process_events, e, RING_BYTES);
	}
	return 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(handle_oom_victim, struct task_struct *victim)
{
	/* the current task is whoever ran into the limit; the victim's own cgroup is the one to blame */
	__u64 cgroup_id = BPF_CORE_READ(victim, cgroups, dfl_cgrp, kn, id);
	struct process_event *e;

	count_shared(&oom_counts, &cgroup_id);
	e = reserve(EVENT_OOM_KILL, victim, cgroup_id);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}
