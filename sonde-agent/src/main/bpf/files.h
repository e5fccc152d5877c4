/* SPDX-License-Identifier: GPL-2.0 */
/* The files probe's map and record layouts, mirrored by FilesProbe.java and FileOpenEvent.java. */
#ifndef FILES_H
#define FILES_H

#define COMM_LEN 16
#define PATH_LEN 256
#define PREFIX_LEN 64

/* opens per cgroup and result: err 0 for a success, else the errno */
struct open_key {
	__u64 cgroup_id;
	__u32 err;
	__u32 pad;
};

/* an open in progress that the event filter passed: what sys_enter saw */
struct open_start {
	__u64 filename;   /* user pointer */
	__s32 flags;
	__u32 pad;
};

/* one file-open record in the ring buffer (304 bytes) */
struct open_event {
	__u64 ts_ns;      /* bpf_ktime_get_ns() at exit */
	__u64 cgroup_id;
	__u32 pid;        /* tgid */
	__u32 tid;
	__s32 ret;        /* the fd, or -errno */
	__s32 flags;      /* open flags (O_*) */
	char comm[COMM_LEN];
	char path[PATH_LEN];
};

#endif
