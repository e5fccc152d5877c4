/* SPDX-License-Identifier: GPL-2.0 */
/* The syscalls probe's map layouts, mirrored by SyscallsProbe.java. */
#ifndef SYSCALLS_H
#define SYSCALLS_H

/* syscall numbers at or above this are not counted (no architecture has that many) */
#define SYSCALL_MAX 1024

/* counts: per cgroup and syscall */
struct syscall_key {
	__u64 cgroup_id;
	__u32 nr;
	__u32 pad;
};

/* calls not yet in syscall_counts, per CPU: those of the cgroup that last made one on the CPU */
#define PENDING_DIRTY 64 /* syscalls with a pending count, at most (a power of two) */
struct syscall_pending {
	__u64 cgroup_id;
	__u32 ndirty;                 /* entries of dirty in use */
	__u16 dirty[PENDING_DIRTY];   /* the syscalls with a count in counts, in order of first call */
	__u32 seq;                    /* raised as each move into syscall_counts starts (the agent's check) */
	__u64 counts[SYSCALL_MAX];    /* by syscall number */
};

/* errors: per cgroup, syscall and errno */
struct syscall_error_key {
	__u64 cgroup_id;
	__u32 nr;
	__u32 err;
};

/* one slow-syscall record in the ring buffer (64 bytes) */
struct syscall_event {
	__u64 ts_ns;       /* bpf_ktime_get_ns() at exit */
	__u64 cgroup_id;
	__u32 pid;         /* tgid */
	__u32 tid;
	__u32 nr;          /* syscall number */
	__u32 pad;
	__s64 ret;         /* the return value (-errno on failure) */
	__u64 latency_ns;  /* exit minus entry */
	char comm[16];
};

#endif
