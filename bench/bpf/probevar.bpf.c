// SPDX-License-Identifier: GPL-2.0
// The floor of section 6 (bench only): empty programs on the hooks of the agent's files, process,
// block, tcp, drops and netdev probes (sonde-agent/src/main/bpf/<probe>.bpf.c), of the same program types, so
// that the cost of the hooks alone can be told from the cost of each probe's work; and one
// alternative design of the files probe (files_btf_exit, below). Loaded and attached by
// bench/java/ProgsAttach.java, one probe's set at a time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "../../sonde-agent/src/main/bpf/sonde.h"
#include "../../sonde-agent/src/main/bpf/files.h"

char LICENSE[] SEC("license") = "GPL";

/* files: a classic tracepoint, like the probe's */
SEC("tracepoint/syscalls/sys_exit_openat")
int empty_openat(void *ctx)
{
	return 0;
}

/* files, another design: the probe's count (opens per {cgroup, errno}) from one BTF tracepoint on
 * sys_exit, the open syscalls picked by their number (from the saved registers, as the syscalls
 * probe's sys_exit_count reads it), instead of classic tracepoints on each open syscall's exit */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct open_key);
	__type(value, __u64);
} file_opens SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(files_btf_exit, struct pt_regs *regs, long ret)
{
	long id;

#if defined(__TARGET_ARCH_x86)
	id = regs->orig_ax;
	if (id != 257 && id != 437 && id != 2 && id != 85) /* openat, openat2, open, creat */
		return 0;
#elif defined(__TARGET_ARCH_arm64)
	id = regs->syscallno;
	if (id != 56 && id != 437) /* openat, openat2 */
		return 0;
#else
	return 0;
#endif
	struct open_key key = {
		.cgroup_id = bpf_get_current_cgroup_id(),
		.err = ret < 0 ? -ret : 0,
	};
	count_percpu(&file_opens, &key);
	return 0;
}

/* process */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(empty_fork, struct task_struct *parent, struct task_struct *child)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(empty_exit, struct task_struct *task)
{
	return 0;
}

/* block */
SEC("tp_btf/block_io_start")
int BPF_PROG(empty_io_start, struct request *rq)
{
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(empty_rq_issue, struct request *rq)
{
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(empty_rq_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	return 0;
}

/* tcp: a received segment, and the state changes */
SEC("tp_btf/tcp_probe")
int BPF_PROG(empty_tcp_probe, struct sock *sk)
{
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(empty_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	return 0;
}

/* drops */
SEC("tp_btf/kfree_skb")
int BPF_PROG(empty_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	return 0;
}

/* netdev: attached to the cgroup v2 root, as the probe's */
SEC("cgroup_skb/ingress")
int empty_ingress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/egress")
int empty_egress(struct __sk_buff *skb)
{
	return 1;
}
