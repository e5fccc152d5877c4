// SPDX-License-Identifier: GPL-2.0
// files: file opens per cgroup, and failed opens per errno, from the exit tracepoints of open,
// creat, openat and openat2 (each fires only for its own syscall). When the syscalls probe runs, the
// agent takes these counts from its maps instead: it loads this object with count_opens false and
// attaches nothing until events are asked for. File-open events (off by default): the enter
// tracepoints, attached only while events are on, note the path pointer of the opens that pass the
// filter and the sampling; the exit tracepoints then put one record per noted open, with its result,
// into a ring buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define SONDE_EVENTS
#define SONDE_SAMPLED
#include "sonde.h"
#include "files.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct open_key);
	__type(value, __u64);
} file_opens SEC(".maps");

/* Load-time: false when the agent counts opens from the syscalls probe's maps (the exit programs
 * then only publish events). */
const volatile bool count_opens = true;

/* Run-time settings, written by the agent while the programs run (.data and .bss are mapped). */
bool open_events = false;         /* publish file-open events */
__u32 filter_pid = 0;             /* 0: any process */
__u64 filter_cgroup = 0;          /* 0: any cgroup */
char filter_comm[COMM_LEN] = {};  /* "": any command */
char filter_prefix[PREFIX_LEN] = {}; /* "": any path */

/* opens noted at entry, by thread; LRU so that opens whose exit was never seen age out */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct open_start);
} open_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} open_events_ring SEC(".maps");

static __always_inline bool filtered_out(__u64 pid_tgid)
{
	if (filter_pid && (__u32)(pid_tgid >> 32) != filter_pid)
		return true;
	if (filter_cgroup && bpf_get_current_cgroup_id() != filter_cgroup)
		return true;
	if (filter_comm[0]) {
		char comm[COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < COMM_LEN; i++) {
			if (comm[i] != filter_comm[i])
				return true;
			if (!comm[i])
				break;
		}
	}
	return sampled_out(); /* sonde.h: publish one passing open in N (sample_every), per CPU */
}

static __always_inline int note_open(const char *filename, int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct open_start s = { .filename = (__u64)filename, .flags = flags };

	if (!open_events || filtered_out(id))
		return 0;
	bpf_map_update_elem(&open_starts, &id, &s, BPF_ANY);
	return 0;
}

static __always_inline void publish_open(long ret, __u64 cgroup_id)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct open_start *s = bpf_map_lookup_elem(&open_starts, &id);
	struct open_event *e;

	if (!s)
		return;
	e = sonde_ringbuf_reserve(&open_events_ring, sizeof(*e));
	if (!e) {
		bpf_map_delete_elem(&open_starts, &id);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cgroup_id;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ret = ret;
	e->flags = s->flags;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(&e->path, sizeof(e->path), (const void *)s->filename) < 0)
		e->path[0] = 0;
	bpf_map_delete_elem(&open_starts, &id);
	for (int i = 0; i < PREFIX_LEN; i++) {
		char c = filter_prefix[i];
		if (!c)
			break;
		if (e->path[i] != c) {
			bpf_ringbuf_discard(e, 0);
			return;
		}
	}
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int count_open(long ret)
{
	struct open_key key = {
		.cgroup_id = bpf_get_current_cgroup_id(),
		.err = ret < 0 ? -ret : 0,
	};

	if (count_opens)
		count_percpu(&file_opens, &key);
	if (open_events)
		publish_open(ret, key.cgroup_id);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return count_open(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return count_open(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return count_open(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return count_open(ctx->ret);
}

/* openat(dfd, filename, flags, mode) */
SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return note_open((const char *)ctx->args[1], (int)ctx->args[2]);
}

/* openat2(dfd, filename, how, size): the flags are inside `how`; the record carries 0 */
SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return note_open((const char *)ctx->args[1], 0);
}

/* open(filename, flags, mode) */
SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return note_open((const char *)ctx->args[0], (int)ctx->args[1]);
}

/* creat(filename, mode) = open(filename, O_CREAT|O_WRONLY|O_TRUNC, mode) */
SEC("tracepoint/syscalls/sys_enter_creat")
int enter_creat(struct trace_event_raw_sys_enter *ctx)
{
	return note_open((const char *)ctx->args[0], 01 | 0100 | 01000);
}
