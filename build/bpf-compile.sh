#!/usr/bin/env bash
# Compiles every <name>.bpf.c in SRC_DIR to OUT_DIR/<name>.bpf.o (CO-RE, clang -O2 -g -target bpf).
# vmlinux.h is generated into GEN_DIR from the build host's kernel BTF; it is never committed.
# Usage: bpf-compile.sh SRC_DIR OUT_DIR GEN_DIR
set -euo pipefail
src=$1 out=$2 gen=$3
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "bpf-compile: $*" >&2; exit 1; }
command -v clang >/dev/null || die "clang is missing (apt-get install clang, or run 'make deps')"
command -v bpftool >/dev/null || die "bpftool is missing (apt-get install bpftool, or run 'make deps')"
[ -r /sys/kernel/btf/vmlinux ] || die "this kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot be built"
[ -r /usr/include/bpf/bpf_helpers.h ] || die "libbpf headers are missing (apt-get install libbpf-dev)"

mkdir -p "$out" "$gen"
if [ ! -s "$gen/vmlinux.h" ]; then
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$gen/vmlinux.h.tmp"
  mv "$gen/vmlinux.h.tmp" "$gen/vmlinux.h"
fi

case "$(uname -m)" in
  x86_64) arch=x86 ;;
  aarch64) arch=arm64 ;;
  riscv64) arch=riscv ;;
  s390x) arch=s390 ;;
  ppc64le) arch=powerpc ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac

shopt -s nullglob
for c in "$src"/*.bpf.c; do
  name=$(basename "$c" .c)
  o="$out/$name.o"
  # rebuild when the source or a header beside it is newer than the object
  if [ -f "$o" ] && [ -z "$(find "$src" -newer "$o" \( -name '*.c' -o -name '*.h' \) -print -quit)" ]; then
    continue
  fi
  clang -O2 -g -target bpf -D__TARGET_ARCH_$arch -Wall -Werror \
    -I"$gen" -I"$src" -c "$c" -o "$o.tmp"
  mv "$o.tmp" "$o"
  echo "bpf-compile: $c -> $o"
done
