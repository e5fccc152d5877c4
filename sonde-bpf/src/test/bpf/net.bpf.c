// SPDX-License-Identifier: GPL-2.0
// Test programs that count UDP packets to one port at XDP, TC, a cgroup and a socket.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

enum { XDP, TC, CGROUP, SOCKET, XDP_ALT, SLOTS };

#define ETH_P_IP 0x0800
#define PROTO_UDP 17

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

// the UDP destination port that counts, set before load
const volatile __u16 port = 0;

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&packets, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
}

// true when data..end holds an IPv4 UDP packet (starting at its IP header) to the port
static __always_inline int udp_to_port(void *ip_start, void *end)
{
	struct iphdr *ip = ip_start;
	if ((void *)(ip + 1) > end || ip->protocol != PROTO_UDP)
		return 0;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return 0;
	return udp->dest == bpf_htons(port);
}

static __always_inline int eth_udp_to_port(void *data, void *end)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	return udp_to_port(eth + 1, end);
}

SEC("xdp")
int count_xdp(struct xdp_md *ctx)
{
	if (eth_udp_to_port((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		bump(XDP);
	return XDP_PASS;
}

// a second XDP program, for replacing the first through its link
SEC("xdp")
int count_xdp_alt(struct xdp_md *ctx)
{
	if (eth_udp_to_port((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		bump(XDP_ALT);
	return XDP_PASS;
}

SEC("tc")
int count_tc(struct __sk_buff *skb)
{
	if (eth_udp_to_port((void *)(long)skb->data, (void *)(long)skb->data_end))
		bump(TC);
	return 0; // TC_ACT_OK: tcx passes the packet on
}

SEC("cgroup_skb/egress")
int count_cgroup(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.protocol != PROTO_UDP)
		return 1;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 1;
	if (udp.dest == bpf_htons(port))
		bump(CGROUP);
	return 1; // allow
}

SEC("socket")
int count_socket(struct __sk_buff *skb)
{
	bump(SOCKET);
	return skb->len; // keep the whole packet
}
