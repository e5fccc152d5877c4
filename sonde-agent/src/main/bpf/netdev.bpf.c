// SPDX-License-Identifier: GPL-2.0
// netdev: IP packets and bytes per cgroup of the socket that sends or receives them, from cgroup_skb
// programs on the cgroup v2 root (they run for the sockets of every cgroup below it). The socket's
// cgroup is where the kernel charges the packet, also when it is sent or received in softirq context.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sonde.h"
#include "netdev.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct netdev_key);
	__type(value, struct netdev_counts);
} netdev_counts SEC(".maps");

static const struct netdev_counts zero_counts;

static __always_inline void account(struct __sk_buff *skb, __u32 direction)
{
	struct netdev_key key = {.cgroup_id = bpf_skb_cgroup_id(skb), .direction = direction};
	struct netdev_counts *c = lookup_or_init(&netdev_counts, &key, &zero_counts);

	if (!c)
		return;
	c->bytes += skb->len;
	c->packets += skb->gso_segs > 1 ? skb->gso_segs : 1;
}

SEC("cgroup_skb/ingress")
int count_ingress(struct __sk_buff *skb)
{
	account(skb, NETDEV_RECEIVED);
	return 1;
}

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	account(skb, NETDEV_SENT);
	return 1;
}
