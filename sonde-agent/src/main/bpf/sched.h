/* SPDX-License-Identifier: GPL-2.0 */
/* The sched probe's map layouts, mirrored by SchedProbe.java. */
#ifndef SONDE_SCHED_H
#define SONDE_SCHED_H

/* cgroup_cpu: per cgroup id (per-CPU hash), what its tasks did up to their last switch out */
struct cgroup_cpu {
	__u64 cpu_ns;      /* on-CPU time: growth of the tasks' se.sum_exec_runtime */
	__u64 voluntary;   /* switches out counted in the tasks' nvcsw (they blocked) */
	__u64 involuntary; /* and in nivcsw (preempted, or gave up the CPU while runnable) */
};

/* running: per CPU (per-CPU array of one), the task switched in last, written at every switch. The
 * agent adds the runtime it has not been charged for yet at scrape time, using seq to tell whether
 * a switch happened on this CPU meanwhile. */
struct running {
	__u64 seq;       /* switches seen on this CPU; 0 until the first */
	__u64 cgroup_id; /* the task's cgroup when it was switched in */
	__u64 charged;   /* its se.sum_exec_runtime as far as cgroup_cpu holds it */
	__u64 since;     /* when it was switched in (bpf_ktime_get_ns, CLOCK_MONOTONIC) */
	__u32 pid;       /* its thread id; 0 for the idle task */
	__u32 pad;
};

#endif
