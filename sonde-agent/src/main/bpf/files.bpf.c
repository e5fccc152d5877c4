// SPDX-License-Identifier: GPL-2.0
// files: file opens per cgroup, and failed opens per errno, from the exit tracepoints of open,
// creat, openat and openat2 (each fires only for its own syscall).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sonde.h"
#include "files.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct open_key);
	__type(value, __u64);
} file_opens SEC(".maps");

static __always_inline int count_open(long ret)
{
	struct open_key key = {
		.cgroup_id = bpf_get_current_cgroup_id(),
		.err = ret < 0 ? -ret : 0,
	};

	count_percpu(&file_opens, &key);
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
