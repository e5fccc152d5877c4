#!/usr/bin/env bash
# Installs what building, running and testing Sonde need, when it is missing: Debian packages and a
# Java 22+ JDK selection. Stops with one clear sentence when the machine cannot provide something.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# packages: the BPF toolchain, libbpf, and the tools the tests and benchmarks drive (ip, nft, bpftrace,
# promtool, wrk, node exporter)
packages=(clang llvm libbpf-dev libbpf1 bpftool libelf-dev linux-libc-dev libc6-dev iproute2 mount maven gcc make bpftrace prometheus nftables wrk prometheus-node-exporter)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "sonde: missing Debian packages (${missing[*]}) and not root: run 'sudo make deps' or install them" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null; then
    echo "sonde: missing packages (${missing[*]}) and this is not a Debian system with apt-get" >&2
    exit 1
  fi
  echo "sonde: installing ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -r /sys/kernel/btf/vmlinux ]; then
  echo "sonde: this kernel has no BTF (/sys/kernel/btf/vmlinux); Sonde's CO-RE programs need CONFIG_DEBUG_INFO_BTF=y" >&2
  exit 1
fi
"$here/java-home.sh" >/dev/null
