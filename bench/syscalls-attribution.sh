#!/usr/bin/env bash
# Diagnostic, not part of bench/run.sh: where the syscalls probe's per-event cost goes. Attaches the
# cut-down programs of bench/bpf/sysvar.bpf.c one set at a time (bench/java/SyscallsAttach.java, on
# CPU 0), runs getppid_loop on CPU 1 under each, rotating the order every round, and prints the median
# (min – max) added CPU ns per getppid() against no program, per set. Run bench/run.sh once first (it
# builds bench/out). Takes about 2 minutes.
#
# Environment: ROUNDS (default 5), CALLS (default 5000000), SETS (a subset, see below).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
out=$bench/out
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-5000000}
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
JAVA_HOME=$("$root/build/java-home.sh")
java=$JAVA_HOME/bin/java
cp=$out/lib/sonde-bpf.jar:$out/classes
[ -x "$out/getppid_loop" ] && [ -f "$out/classes/SyscallsAttach.class" ] || { echo "run bench/run.sh first" >&2; exit 1; }
bash "$root/build/bpf-compile.sh" "$bench/bpf" "$out/bpf" "$out/gen" >&2
nr=$("$out/getppid_loop" --nr)
raw=$out/attribution.txt
: > "$raw"
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; true' EXIT

sets=(
  "none"
  "empty_enter"
  "empty_exit"
  "empty_enter empty_exit"
  "array_enter"
  "cgroup_enter"
  "ktime_enter"
  "storage_enter"
  "count_enter"
  "count_ts_enter"
  "storage_enter lookup_exit"
  "count_ts_enter lookup_exit"
  "count_ts_enter delta_exit"
  "full_enter full_exit"
  "exit_count"
  "exit_count_raw"
  "empty_exit_btf"
  "array_exit_btf"
  "exit_count_walk"
)
# SETS="none,empty_exit_btf,exit_count" measures only those (comma between sets, space within one)
if [ -n "${SETS:-}" ]; then IFS=, read -r -a sets <<< "$SETS"; fi
n=${#sets[@]}
for r in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n - 1))); do
    set=${sets[$(( (i + r - 1) % n ))]}
    echo "attribution: round $r/$ROUNDS, $set" >&2
    if [ "$set" = none ]; then
      line=$(taskset -c 1 "$out/getppid_loop" "$CALLS")
    else
      rm -f "$out/ready"
      # shellcheck disable=SC2086
      taskset -c 0 "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" SyscallsAttach \
        "$out/bpf/sysvar.bpf.o" "$nr" "$out/ready" $set > "$out/attach.txt" 2>&1 &
      pid=$!
      for _ in $(seq 1 200); do [ -s "$out/ready" ] && break; sleep 0.05; done
      [ -s "$out/ready" ] || { cat "$out/attach.txt" >&2; exit 1; }
      line=$(taskset -c 1 "$out/getppid_loop" "$CALLS")
      kill -TERM "$pid"; wait "$pid" || true; pid=
    fi
    echo "round=$r set=${set// /+} $line" >> "$raw"
  done
done

python3 - "$raw" <<'EOF'
import statistics, sys
from collections import defaultdict
rows = defaultdict(dict)
for line in open(sys.argv[1]):
    d = dict(t.split("=", 1) for t in line.split() if "=" in t)
    rows[int(d["round"])][d["set"]] = float(d["cpu_ns_per_call"])
sets = list(dict.fromkeys(s for r in rows.values() for s in r))
base = [rows[r]["none"] for r in rows]
print(f"no program: {statistics.median(base):.1f} ns per getppid() ({min(base):.1f} – {max(base):.1f})")
print("| programs attached | added CPU ns per getppid() |")
print("|---|---|")
for s in sets:
    if s == "none":
        continue
    a = [rows[r][s] - rows[r]["none"] for r in rows if s in rows[r]]
    print(f"| {s.replace('+', ' + ')} | {statistics.median(a):.1f} ({min(a):.1f} – {max(a):.1f}) |")
EOF
