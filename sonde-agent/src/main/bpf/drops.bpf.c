// SPDX-License-Identifier: GPL-2.0
// drops: packets the kernel dropped, per drop reason and protocol, from the reason kfree_skb gives
// (frees that are not drops go through consume_skb and are not seen here); each drop also goes into a
// ring buffer with the packet's addresses and the owner of its socket.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define SONDE_EVENTS
#include "sonde.h"
#include "sonde_net.h"
#include "drops.h"

char LICENSE[] SEC("license") = "GPL";

#define RING_BYTES (256 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct drop_key);
	__type(value, __u64);
} drop_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} drop_events SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct drop_key key = {.reason = reason};
	struct drop_event *e;
	struct sock *sk;
	__u8 saddr[16], daddr[16];
	__u16 family = 0, sport = 0, dport = 0;

	/* SKB_NOT_DROPPED_YET and SKB_CONSUMED are no drops (kernels route the latter to consume_skb) */
	if ((__u32)reason <= 1)
		return 0;
	__builtin_memset(saddr, 0, sizeof(saddr));
	__builtin_memset(daddr, 0, sizeof(daddr));
	sonde_skb_addrs(skb, &key.ethertype, &key.l4, &family, saddr, daddr, &sport, &dport);
	count_percpu(&drop_counts, &key);

	e = sonde_ringbuf_reserve(&drop_events, sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->reason = key.reason;
	e->ethertype = key.ethertype;
	e->l4 = key.l4;
	e->family = family;
	e->sport = sport;
	e->dport = dport;
	__builtin_memcpy(e->saddr, saddr, sizeof(saddr));
	__builtin_memcpy(e->daddr, daddr, sizeof(daddr));
	e->ifindex = BPF_CORE_READ(skb, dev, ifindex);
	sk = BPF_CORE_READ(skb, sk);
	e->cgroup_id = sonde_sock_cgroup(sk);
	/* in softirq the current task is whoever the CPU interrupted: named only when it owns the socket */
	if (sk && e->cgroup_id != SONDE_ROOT_CGROUP && bpf_get_current_cgroup_id() == e->cgroup_id) {
		e->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(&e->comm, sizeof(e->comm));
	}
	sonde_ringbuf_submit(&drop_events, e, RING_BYTES);
	return 0;
}
