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

/* errors: per cgroup, syscall and errno */
struct syscall_error_key {
	__u64 cgroup_id;
	__u32 nr;
	__u32 err;
};

#endif
