// SPDX-License-Identifier: GPL-2.0
// `sonde check`: one trivial program per program type. The agent loads them one at a time (autoload
// on for the program under test only) to learn which hooks this kernel really accepts. The object has
// no maps, so that a missing map type cannot make a program check fail.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getpid")
int check_tracepoint(void *ctx)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int check_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(check_tp_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}

SEC("kprobe/do_sys_openat2")
int check_kprobe(struct pt_regs *ctx)
{
	return 0;
}

SEC("fentry/do_sys_openat2")
int BPF_PROG(check_fentry)
{
	return 0;
}

SEC("uprobe")
int check_uprobe(struct pt_regs *ctx)
{
	return 0;
}

SEC("perf_event")
int check_perf_event(struct bpf_perf_event_data *ctx)
{
	return 0;
}

SEC("xdp")
int check_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int check_tc(struct __sk_buff *skb)
{
	return 0; // TC_ACT_OK
}

SEC("cgroup_skb/ingress")
int check_cgroup_skb(struct __sk_buff *skb)
{
	return 1; // allow
}

SEC("socket")
int check_socket_filter(struct __sk_buff *skb)
{
	return skb->len; // keep the whole packet
}

SEC("lsm/file_open")
int BPF_PROG(check_lsm, struct file *file)
{
	return 0; // allow
}
