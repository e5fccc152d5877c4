// SPDX-License-Identifier: GPL-2.0
// Test programs: a program that fires its own hook, so that the kernel skips the nested run and counts
// it in the program's recursion_misses. start_printk writes a trace_printk line when the test's thread
// calls getppid; nested_printk, on the tracepoint that line fires, writes another, whose tracepoint
// finds nested_printk already running on the CPU.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

// the thread whose calls count, set before load
const volatile __u32 target_tid = 0;

static __always_inline int mine(void)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int start_printk(void *ctx)
{
	if (mine())
		bpf_printk("sonde test: outer");
	return 0;
}

SEC("tp_btf/bpf_trace_printk")
int BPF_PROG(nested_printk, const char *text)
{
	if (mine())
		bpf_printk("sonde test: nested");
	return 0;
}
