/* SPDX-License-Identifier: GPL-2.0 */
/* The process probe's map and record layouts, mirrored by ProcessProbe.java and ProcessEvent.java. */
#ifndef PROCESS_H
#define PROCESS_H

#define COMM_LEN 16
#define FILENAME_LEN 128

enum process_event_type {
	EVENT_EXEC = 1,
	EVENT_EXIT = 2,
	EVENT_OOM_KILL = 3,
};

/* one record in the ring buffer (176 bytes) */
struct process_event {
	__u64 ts_ns;      /* bpf_ktime_get_ns() */
	__u64 cgroup_id;
	__u32 type;       /* enum process_event_type */
	__u32 pid;        /* process id (tgid) */
	__u32 ppid;
	__s32 exit_code;  /* exit: status << 8 | signal (as wait(2) reports it) */
	char comm[COMM_LEN];
	char filename[FILENAME_LEN]; /* exec: the file executed */
};

/* execs per cgroup and command */
struct exec_key {
	__u64 cgroup_id;
	char comm[COMM_LEN];
};

/* exits per cgroup and reason: 0 normal, 1 error status, 0x100 | signal when killed */
struct exit_key {
	__u64 cgroup_id;
	__u32 reason;
	__u32 pad;
};

#endif
