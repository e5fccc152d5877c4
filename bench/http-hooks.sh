#!/usr/bin/env bash
# Diagnostic, not part of bench/run.sh: how much of section 7's HTTP slowdown the hooks alone cost.
# Runs section 7's HTTP workload (bench/c/http_server.c on CPU 1, bench/c/http_load.c on CPU 0, open
# loop at HTTP_RATE requests/s over HTTP_CONNS connections) under three configurations, their order
# rotating every round: no program; empty programs on every hook the default probe set attaches that an
# HTTP request reaches (tp_btf sys_exit, sched_switch, sched_wakeup, sched_wakeup_new, tcp_probe,
# inet_sock_set_state, kfree_skb, and cgroup_skb ingress and egress on the cgroup v2 root), loaded by
# bench/java/ProgsAttach.java from bench/bpf; and the agent with its default probe set (as section 7
# runs it, started SETTLE seconds before the load). Prints the median (min - max) p50 and p99 from the
# due time per configuration, and the change of the medians against no program. Run bench/run.sh once
# first (it builds bench/out). Takes about ROUNDS x 1.5 minutes.
#
# Environment: ROUNDS (default 5), HTTP_RATE (2000), HTTP_SECONDS (8), HTTP_CONNS (16), SETTLE (30).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
out=$bench/out
ROUNDS=${ROUNDS:-5}
HTTP_RATE=${HTTP_RATE:-2000}
HTTP_SECONDS=${HTTP_SECONDS:-8}
HTTP_CONNS=${HTTP_CONNS:-16}
SETTLE=${SETTLE:-30}
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
java=$("$root/build/java-home.sh")/bin/java
cp=$out/lib/sonde-bpf.jar:$out/classes
sonde=$out/agent/bin/sonde
for f in "$out/http_server" "$out/http_load" "$out/classes/ProgsAttach.class" "$out/bpf/probevar.bpf.o" "$sonde"; do
  [ -e "$f" ] || { echo "missing $f: run bench/run.sh first" >&2; exit 1; }
done
cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
raw=$out/http-hooks.txt
: > "$raw"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
taskset -c 1 "$out/http_server" "$port" > "$out/http_server.txt" 2>&1 &
server=$!
trap 'cleanup; kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$out/http_server.txt" && break; sleep 0.1; done

attach() { # object, programs...
  local obj=$1 ready; shift
  ready=$(mktemp)
  rm -f "$ready"
  taskset -c 0 "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" ProgsAttach "$out/bpf/$obj" "$ready" "$@" \
    > "$out/attach-$obj.txt" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
  [ -s "$ready" ] || { cat "$out/attach-$obj.txt" >&2; exit 1; }
  rm -f "$ready"
}

configs=(none hooks agent)
for r in $(seq 1 "$ROUNDS"); do
  for i in 0 1 2; do
    config=${configs[$(( (i + r - 1) % 3 ))]}
    echo "http-hooks: round $r/$ROUNDS, $config" >&2
    case $config in
      hooks)
        attach sysvar.bpf.o empty_exit_btf
        attach schedvar.bpf.o empty_wakeup empty_wakeup_new empty_switch
        attach probevar.bpf.o empty_tcp_probe empty_set_state empty_kfree_skb \
          "empty_ingress@ingress:$cg2" "empty_egress@egress:$cg2" ;;
      agent)
        # as section 7: the statistics window out of the way, a budget that never samples
        printf 'overhead:\n  window_seconds: 1\n  period_seconds: 86400\n  budget: 1\n' > "$out/agent-hooks.yaml"
        taskset -c 0 "$sonde" agent --config.file "$out/agent-hooks.yaml" --web.listen-address 127.0.0.1:0 \
          > "$out/agent-hooks.txt" 2>&1 &
        pids+=($!)
        for _ in $(seq 300); do grep -q 'event=ready' "$out/agent-hooks.txt" && break; sleep 0.1; done
        grep -q 'event=ready' "$out/agent-hooks.txt" || { cat "$out/agent-hooks.txt" >&2; exit 1; }
        sleep "$SETTLE" ;;
    esac
    sleep 2
    line=$(taskset -c 0 "$out/http_load" "$port" "$HTTP_RATE" "$HTTP_SECONDS" "$HTTP_CONNS" 1)
    echo "round=$r config=$config $line" >> "$raw"
    cleanup
    sleep 1
  done
done

python3 - "$raw" <<'EOF'
import statistics, sys
from collections import defaultdict
rows = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[1]):
    d = dict(t.split("=", 1) for t in line.split() if "=" in t)
    for k in ("p50_us", "p99_us"):
        rows[d["config"]][k].append(float(d[k]))
base = {k: statistics.median(v) for k, v in rows["none"].items()}
for c in ("none", "hooks", "agent"):
    parts = []
    for k in ("p50_us", "p99_us"):
        xs = rows[c][k]
        m = statistics.median(xs)
        change = "" if c == "none" else f" ({(m / base[k] - 1) * 100:+.1f}%)"
        parts.append(f"{k[:-3]} {m:.1f} us ({min(xs):.1f} - {max(xs):.1f}){change}")
    print(f"{c:6} " + ", ".join(parts))
EOF
