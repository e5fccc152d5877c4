// SPDX-License-Identifier: GPL-2.0
// Attribution of the sched probe's per-switch cost (bench only): empty programs on the three BTF
// tracepoints the agent's sched probe (sonde-agent/src/main/bpf/sched.bpf.c) attaches, so that the
// cost of the hooks alone can be told from the cost of the probe's work. Loaded and attached by
// bench/java/ProgsAttach.java.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_wakeup")
int BPF_PROG(empty_wakeup, struct task_struct *p)
{
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(empty_wakeup_new, struct task_struct *p)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(empty_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	return 0;
}
