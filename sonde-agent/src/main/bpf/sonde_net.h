/* SPDX-License-Identifier: GPL-2.0 */
/* What the network probes share on the kernel side: the owner cgroup of a socket, and the addresses
 * of a socket or of a packet. Include after vmlinux.h and the libbpf headers. */
#ifndef SONDE_NET_H
#define SONDE_NET_H

#include <bpf/bpf_endian.h>

#define SONDE_AF_INET 2
#define SONDE_AF_INET6 10
#define SONDE_ETH_P_IP 0x0800
#define SONDE_ETH_P_IPV6 0x86DD
#define SONDE_ROOT_CGROUP 1 /* the cgroup v2 root's id: work no socket owns */

/* Whether sk is a full socket (not a request or TIME_WAIT mini socket, which have no owner fields). */
static __always_inline bool sonde_fullsock(const struct sock *sk)
{
	int state = BPF_CORE_READ(sk, __sk_common.skc_state);

	return state != TCP_TIME_WAIT && state != TCP_NEW_SYN_RECV;
}

/* The cgroup v2 id of the socket's owner: the cgroup of the task that created it (the kernel stores it
 * at creation, and a passive open inherits the listener's), whatever task or softirq runs now. */
static __always_inline __u64 sonde_sock_cgroup(const struct sock *sk)
{
	struct cgroup *cg;

	if (!sk)
		return SONDE_ROOT_CGROUP;
	if (BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_NEW_SYN_RECV)
		sk = BPF_CORE_READ((struct request_sock *)sk, __req_common.skc_listener);
	if (!sk || !sonde_fullsock(sk))
		return SONDE_ROOT_CGROUP;
	cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	if (!cg)
		return SONDE_ROOT_CGROUP;
	return BPF_CORE_READ(cg, kn, id);
}

/* The socket's family, addresses (IPv4 in the first 4 bytes) and ports (host order). */
static __always_inline void sonde_sock_addrs(const struct sock *sk, __u16 *family, __u8 *saddr, __u8 *daddr,
					     __u16 *sport, __u16 *dport)
{
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	*sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	*dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (*family == SONDE_AF_INET6) {
		bpf_core_read(saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		__u32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(saddr, &s, 4);
		__builtin_memcpy(daddr, &d, 4);
	}
}

/* A packet's L3 protocol (ethertype, host order), L4 protocol, addresses and ports, from the headers
 * the kernel has already found; fields it cannot find stay as they are. */
static __always_inline void sonde_skb_addrs(const struct sk_buff *skb, __u16 *ethertype, __u8 *l4, __u16 *family,
					    __u8 *saddr, __u8 *daddr, __u16 *sport, __u16 *dport)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u16 ports[2];

	*ethertype = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	if (nh == (__u16)~0U)
		return;
	if (*ethertype == SONDE_ETH_P_IP) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return;
		*family = SONDE_AF_INET;
		*l4 = ip.protocol;
		__builtin_memcpy(saddr, &ip.saddr, 4);
		__builtin_memcpy(daddr, &ip.daddr, 4);
		if (th == (__u16)~0U || th <= nh)
			th = nh + ip.ihl * 4;
	} else if (*ethertype == SONDE_ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return;
		*family = SONDE_AF_INET6;
		*l4 = ip6.nexthdr;
		__builtin_memcpy(saddr, &ip6.saddr, 16);
		__builtin_memcpy(daddr, &ip6.daddr, 16);
		if (th == (__u16)~0U || th <= nh)
			th = nh + sizeof(ip6);
	} else {
		return;
	}
	if ((*l4 == IPPROTO_TCP || *l4 == IPPROTO_UDP) && !bpf_probe_read_kernel(ports, sizeof(ports), head + th)) {
		*sport = bpf_ntohs(ports[0]);
		*dport = bpf_ntohs(ports[1]);
	}
}

#endif
