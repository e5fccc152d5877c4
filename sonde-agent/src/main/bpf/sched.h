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

/* Charges wait in a CPU's running slot while they are the same cgroup's, and move into cgroup_cpu
 * when another cgroup's task is charged on that CPU or SCHED_PENDING_MAX have gathered; run-queue waits
 * likewise into runq_latency: most switches then cost no hash lookup. */
#define SCHED_PENDING_MAX 32

/* running: per CPU (per-CPU array of one), the task switched in last, written at every switch. The
 * agent adds the runtime it has not been charged for yet at scrape time, using seq to tell whether
 * a switch happened on this CPU meanwhile; and it adds the pending charges to what cgroup_cpu holds,
 * when the slot was the same before and after its read of cgroup_cpu. */
struct running {
	__u64 seq;       /* switches seen on this CPU; 0 until the first */
	__u64 cgroup_id; /* the task's cgroup when it was switched in */
	__u64 charged;   /* its se.sum_exec_runtime as far as cgroup_cpu and pending hold it */
	__u64 since;     /* when it was switched in (bpf_ktime_get_ns, CLOCK_MONOTONIC) */
	__u32 pid;       /* its thread id; 0 for the idle task */
	__u32 npending;  /* switches charged into pending since it was last moved into cgroup_cpu */
	__u64 pending_cgroup;       /* whose charges pending holds (0: none) */
	struct cgroup_cpu pending;  /* charges not yet in cgroup_cpu */
	__u64 wait_cgroup;          /* whose run-queue waits pending_waits holds (0: none) */
	__u32 nwaits;               /* waits in pending_waits since it was last moved into runq_latency */
	__u32 pad;
	struct hist pending_waits;  /* waits not yet in runq_latency */
};

#endif
