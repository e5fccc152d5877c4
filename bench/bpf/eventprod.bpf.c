// SPDX-License-Identifier: GPL-2.0
// Event pipeline benchmark producer: each getppid() of the target thread writes `burst` records into a
// 64 MiB ring, in the agent's own layouts: the slow-syscall record (syscalls.h struct syscall_event,
// 64 bytes) or the file-open record (files.h struct open_event, 304 bytes, a 41-byte path).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../../sonde-agent/src/main/bpf/syscalls.h"
#include "../../sonde-agent/src/main/bpf/files.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} events SEC(".maps");

// .bss: set by the driver after load
__u32 target_tid;
__u32 burst;
// only the target thread runs the loop, so plain increments are exact
__u64 produced; // records submitted
__u64 lost;     // reservations that failed (ring full)

// a writable global (.data), not a string constant: libbpf 1.1 cannot open clang's .rodata.str sections
char path_template[48] = "/usr/lib/x86_64-linux-gnu/libc.so.6.bench";

static long put_small(__u64 index, void *ctx)
{
	struct syscall_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		lost++;
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->nr = 110;
	e->pad = 0;
	e->ret = -11;
	e->latency_ns = 12345678 + index;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	produced++;
	return 0;
}

static long put_large(__u64 index, void *ctx)
{
	struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		lost++;
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ret = index & 1 ? 3 : -2;
	e->flags = 0x80000;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	__builtin_memcpy(e->path, path_template, sizeof(path_template));
	bpf_ringbuf_submit(e, 0);
	produced++;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int produce_small(void *ctx)
{
	if ((__u32)bpf_get_current_pid_tgid() != target_tid)
		return 0;
	bpf_loop(burst, put_small, NULL, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int produce_large(void *ctx)
{
	if ((__u32)bpf_get_current_pid_tgid() != target_tid)
		return 0;
	bpf_loop(burst, put_large, NULL, 0);
	return 0;
}
