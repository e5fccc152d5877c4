// SPDX-License-Identifier: GPL-2.0
// A program the verifier must reject: it writes through a map value pointer without a NULL check.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int unchecked(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	*v += 1; // no NULL check: "invalid mem access 'map_value_or_null'"
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int fine(void *ctx)
{
	return 0;
}
