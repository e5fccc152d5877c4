#!/usr/bin/env bash
# Sonde's foundation benchmarks, one command: builds what they need, runs them alternating Sonde and
# its baselines, and writes bench/RESULTS.md.
#
#   1. ring buffer consumer: sonde-bpf's RingBuffer (Java) against libbpf's ring_buffer (C) on the same
#      producer object, 16 and 256-byte records, drain (cache-hot and cold) and concurrent modes;
#   2. per-event cost: getppid() with no program, with Sonde's counting program on a tracepoint, a raw
#      tracepoint and a BTF tracepoint, and with bpftrace counting the same;
#   3. the syscalls probe: getppid() with no program, under the real agent running only its `syscalls`
#      probe (default: counts from sys_exit; and with latency on), under bpftrace counting the same
#      keys (cgroup, syscall id) and under bpftrace doing the latency-on work, and under two cut-down
#      programs (bench/bpf/sysvar.bpf.c) that show where the latency-on cost goes;
#   4. the sched probe: a ping-pong between two threads on one CPU (bench/c/pingpong.c: 2 wakeups and
#      2 context switches per round trip) with no program, under the real agent running only its
#      `sched` probe, under bpftrace doing the same run-queue latency histogram per cgroup, and under
#      empty programs on the probe's three tracepoints (bench/bpf/schedvar.bpf.c);
#   5. the event pipeline: the agent's EventRing, decoders, EventEnricher and EventBus with one
#      subscriber, fed at paced rates by bench/bpf/eventprod.bpf.c in the agent's slow-syscall (64 B)
#      and file-open (304 B) record layouts: loss, and the CPU the pipeline takes;
#   6. the other probes (files, process, block, tcp, netdev, drops): each probe's hottest hooks under its
#      own workload (openat + close, fork + exit + wait, O_DIRECT reads from a loop device, a loopback TCP
#      request/response, UDP datagrams to a closed port) with no program, under
#      the real agent running only that probe, under bpftrace computing the same, and under empty
#      programs on the same hooks (bench/bpf/probevar.bpf.c);
#   7. workload slowdown with the agent's default probe set against no agent: getppid(), a file
#      open/write/read/close loop, and loopback HTTP at a fixed request rate (bench/c/http_server.c,
#      bench/c/http_load.c: open loop, p50 and p99 from the due time of each request);
#   8. the agent itself: time from start to /-/ready, resident memory and CPU when idle (scraped every
#      15 s) and under the HTTP workload, launched as bin/sonde does and with the JVM's defaults;
#   9. /metrics with about 1,000 and 10,000 series (real activity in many test cgroups,
#      bench/c/cgroup_spread.c): scrape time and size next to Debian's prometheus-node-exporter.
#
# Needs root, a kernel with BTF, and: a JDK 22+ (build/java-home.sh finds it), maven, gcc, clang,
# bpftool, libbpf-dev, bpftrace, python3, taskset, curl, losetup, prometheus-node-exporter. Takes about
# 20 minutes on a quiet machine (sections 1-4 about 6, 5 about 2, 6-9 about 12), more when it has to wait for
# other work to settle.
#
# Environment: ROUNDS (ring, default 5), EVENT_ROUNDS (per-event, default 7), SYS_ROUNDS (syscalls
# probe, default EVENT_ROUNDS), EVENT_CALLS (sections 2 and 3, default 5000000), SCHED_ROUNDS (sched
# probe, default EVENT_ROUNDS), ROUND_TRIPS (section 4, default 200000), SKIP_BUILD=1 (use the existing
# sonde-bpf and sonde-agent builds),
# PIPE_ROUNDS (section 5, default 3), PIPE_SECONDS (timed seconds per rate, default 5), PIPE_RATES
# (events/s, default 1000000,1500000,2000000,3000000),
# RESULTS (output file, default bench/RESULTS.md), SECTIONS (default "1 2 3 4 5 6 7 8 9": the sections
# to run; for 1-5, a section left out keeps its raw results from the last run in bench/out; for 6-9,
# a section left out keeps its text in RESULTS.md).
# Sections 6-9: PROBE_ROUNDS (6, default 4), FILE_OPS (6, default 1000000), FORKS (6, default 10000),
# DIO_OPS (6, default 50000), TCP_ROUND_TRIPS (6, default 200000), DROP_OPS (6, default 300000), PROBES6
# (6, default "files process block tcp netdev drops"), SLOW_ROUNDS (7, default 6), SLOW_SETTLE (7, seconds between the agent's start and the workloads, default 30), HTTP_RATE (7 and 8, requests/s, default 2000),
# HTTP_SECONDS (7, default 8), HTTP_CONNS (default 16), FILEIO_OPS (7, default 200000), READY_STARTS
# (8, default 5), IDLE_SECONDS (8, default 60), LOAD_SECONDS (8, default 20), SOAK_SCRAPES (8, default 2000),
# SCRAPES (9, default 10).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
out=$bench/out
ROUNDS=${ROUNDS:-5}
EVENT_ROUNDS=${EVENT_ROUNDS:-7}
EVENT_CALLS=${EVENT_CALLS:-5000000}
SYS_ROUNDS=${SYS_ROUNDS:-$EVENT_ROUNDS}
SCHED_ROUNDS=${SCHED_ROUNDS:-$EVENT_ROUNDS}
ROUND_TRIPS=${ROUND_TRIPS:-200000}
RESULTS=${RESULTS:-$bench/RESULTS.md}
PIPE_ROUNDS=${PIPE_ROUNDS:-3}
PIPE_SECONDS=${PIPE_SECONDS:-5}
PIPE_RATES=${PIPE_RATES:-1000000,1500000,2000000,3000000}
SECTIONS=${SECTIONS:-1 2 3 4 5 6 7 8 9}
PROBE_ROUNDS=${PROBE_ROUNDS:-4}
FILE_OPS=${FILE_OPS:-1000000}
FORKS=${FORKS:-10000}
DIO_OPS=${DIO_OPS:-50000}
TCP_ROUND_TRIPS=${TCP_ROUND_TRIPS:-200000}
DROP_OPS=${DROP_OPS:-300000}
SLOW_ROUNDS=${SLOW_ROUNDS:-6}
SLOW_SETTLE=${SLOW_SETTLE:-30}
HTTP_RATE=${HTTP_RATE:-2000}
HTTP_SECONDS=${HTTP_SECONDS:-8}
HTTP_CONNS=${HTTP_CONNS:-16}
FILEIO_OPS=${FILEIO_OPS:-200000}
READY_STARTS=${READY_STARTS:-5}
IDLE_SECONDS=${IDLE_SECONDS:-60}
LOAD_SECONDS=${LOAD_SECONDS:-20}
SOAK_SCRAPES=${SOAK_SCRAPES:-2000}
SCRAPES=${SCRAPES:-10}
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# ring buffer parameters. Drain, cold: records per fill far larger than the 4 MiB L2 (~48 and ~53 MB, within
# the 64 MiB ring), timed and untimed fills. Drain, hot: fills of ~0.5 MB that stay in L2. Concurrent:
# records produced while the consumer polls.
COLD16=2000000 COLD256=200000 COLD_ITERATIONS=10 COLD_WARMUP=3
HOT16=20000 HOT256=2000 HOT_ITERATIONS=500 HOT_WARMUP=200
CONC16=4000000 CONC256=1000000
ring_args="$COLD16 $COLD256 $COLD_ITERATIONS $COLD_WARMUP $HOT16 $HOT256 $HOT_ITERATIONS $HOT_WARMUP $CONC16 $CONC256"

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

# --- requirements -------------------------------------------------------------------------------
# sections 1-5 are written together by report.py from their raw results in bench/out: a run of some of
# them needs the others' results from an earlier run in this checkout
for s in 1:ring 2:event 3:syscalls 4:sched 5:pipeline; do
  if ! want "${s%%:*}" && { want 1 || want 2 || want 3 || want 4 || want 5; } && [ ! -s "$out/${s#*:}.txt" ]; then
    die "SECTIONS=\"$SECTIONS\": sections 1-5 are reported together from their raw results in bench/out, and section ${s%%:*} has none there ($out/${s#*:}.txt): add ${s%%:*} to SECTIONS, or run every section once"
  fi
done
[ "$(id -u)" = 0 ] || die "must run as root (it loads BPF programs)"
[ -r /sys/kernel/btf/vmlinux ] || die "this kernel has no BTF (/sys/kernel/btf/vmlinux)"
for tool in gcc clang bpftool bpftrace python3 taskset mvn curl losetup prometheus-node-exporter; do
  command -v "$tool" >/dev/null || die "$tool is missing (run 'make deps', or apt-get install it)"
done
[ -r /usr/include/bpf/libbpf.h ] || die "libbpf headers are missing (apt-get install libbpf-dev)"
JAVA_HOME=$("$root/build/java-home.sh") || die "no JDK 22 or newer found"
export JAVA_HOME
java=$JAVA_HOME/bin/java
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (producer and consumer run side by side)"
if [ "$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)" != 0 ]; then
  die "kernel.bpf_stats_enabled is on: it slows every BPF program; switch it off first"
fi

# --- build --------------------------------------------------------------------------------------
mkdir -p "$out/classes" "$out/lib"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building sonde-bpf and sonde-agent (mvn -q install -DskipTests)"
  (cd "$root" && mvn -q -B install -DskipTests) || die "the Maven build failed"
fi
jar=$(ls "$root"/sonde-bpf/target/sonde-bpf-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -1)
[ -n "$jar" ] || die "no sonde-bpf jar in sonde-bpf/target: run without SKIP_BUILD"
cp "$jar" "$out/lib/sonde-bpf.jar" # a private copy: a concurrent build cannot change it mid-run
cp=$out/lib/sonde-bpf.jar:$out/classes
# the agent as bin/sonde runs it (its jar and the lib/ beside it), a private copy too
agent_jar=$root/sonde-agent/target/sonde-agent.jar
[ -f "$agent_jar" ] && [ -d "$root/sonde-agent/target/lib" ] || die "no sonde-agent.jar in sonde-agent/target: run without SKIP_BUILD"
# laid out as in the repository, so that the copy of bin/sonde runs it with its JVM flags
rm -rf "$out/agent"; mkdir -p "$out/agent/bin" "$out/agent/build" "$out/agent/sonde-agent/target"
cp "$agent_jar" "$out/agent/sonde-agent/target/sonde-agent.jar"
cp -r "$root/sonde-agent/target/lib" "$out/agent/sonde-agent/target/lib"
cp "$root/bin/sonde" "$out/agent/bin/sonde"
cp "$root/build/java-home.sh" "$out/agent/build/java-home.sh"
sonde=$out/agent/bin/sonde

log "compiling the BPF programs, the C programs and the Java drivers"
rm -f "$out/bpf/sysvar.bpf.o" "$out/bpf/probevar.bpf.o" # they include the agent's headers, which bpf-compile.sh does not watch
bash "$root/build/bpf-compile.sh" "$bench/bpf" "$out/bpf" "$out/gen" >&2
bpftool gen skeleton "$out/bpf/ringprod.bpf.o" name ringprod > "$out/ringprod.skel.h"
gcc -O2 -Wall -Wextra -I"$out" -o "$out/ring_consumer" "$bench/c/ring_consumer.c" -lbpf -lpthread
gcc -O2 -Wall -Wextra -o "$out/getppid_loop" "$bench/c/getppid_loop.c"
gcc -O2 -Wall -Wextra -o "$out/pingpong" "$bench/c/pingpong.c" -lpthread
for prog in file_loop fork_loop dio_loop http_server http_load cgroup_spread tcp_pingpong udp_drop; do
  gcc -O2 -Wall -Wextra -o "$out/$prog" "$bench/c/$prog.c" -lpthread
done
agent_cp="$out/agent/sonde-agent/target/sonde-agent.jar:$out/agent/sonde-agent/target/lib/*"
"$JAVA_HOME/bin/javac" -d "$out/classes" -cp "$out/lib/sonde-bpf.jar:$agent_cp" "$bench"/java/*.java

# --- machine ------------------------------------------------------------------------------------
meta=$out/meta.txt
foreign_links() { bpftool link show 2>/dev/null | grep -c '^[0-9]' || true; }
foreign_perf() { bpftool perf show 2>/dev/null | grep -c '^pid' || true; }
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cpus=$(nproc)"
  echo "hypervisor=$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "kernel=$(uname -r)"
  echo "java=$("$java" -version 2>&1 | head -1)"
  echo "libbpf=$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo unknown)"
  echo "bpftrace=$(bpftrace --version 2>/dev/null)"
  echo "gcc=$(gcc -dumpfullversion)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "links_start=$(foreign_links)"
  echo "perf_attached_start=$(foreign_perf)"
  echo "sections=$SECTIONS"
  for v in ROUNDS EVENT_ROUNDS SYS_ROUNDS SCHED_ROUNDS PIPE_ROUNDS PIPE_SECONDS PIPE_RATES EVENT_CALLS ROUND_TRIPS COLD16 COLD256 COLD_ITERATIONS COLD_WARMUP HOT16 HOT256 \
      HOT_ITERATIONS HOT_WARMUP CONC16 CONC256 PROBE_ROUNDS FILE_OPS FORKS DIO_OPS TCP_ROUND_TRIPS DROP_OPS SLOW_ROUNDS SLOW_SETTLE HTTP_RATE HTTP_SECONDS \
      HTTP_CONNS FILEIO_OPS READY_STARTS IDLE_SECONDS LOAD_SECONDS SOAK_SCRAPES SCRAPES; do
    echo "$v=${!v}"
  done
} > "$meta"
if [ "$(foreign_links)" != 0 ] || [ "$(foreign_perf)" != 0 ]; then
  log "warning: other BPF programs are attached on this machine; they may add to the per-event cost"
fi

# The machine may be shared (a build or a test suite on the same host skews every figure): before each
# measurement, wait for the CPUs to be idle (below 10% busy over half a second), up to QUIET_WAIT seconds
# each and QUIET_BUDGET seconds in all; a measurement that starts on a busy machine is marked quiet=0
# and counted in the report.
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_BUDGET=${QUIET_BUDGET:-120}
quiet_spent=0
busy_percent() { # CPU busy share over 0.5 s, all CPUs
  local a b
  a=($(head -1 /proc/stat)); sleep 0.5; b=($(head -1 /proc/stat))
  local total=0 idle i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  idle=$((b[4] - a[4] + b[5] - a[5]))
  [ "$total" -gt 0 ] || { echo 0; return; }
  echo $(( (total - idle) * 100 / total ))
}
wait_quiet() { # sets quiet=1 when the machine is idle, quiet=0 when it gave up waiting
  local start=$SECONDS warned=0
  while true; do
    if [ "$(busy_percent)" -lt 10 ]; then quiet=1; break; fi
    if [ $((SECONDS - start)) -ge "$QUIET_WAIT" ] || [ $((quiet_spent + SECONDS - start)) -ge "$QUIET_BUDGET" ]; then
      quiet=0; break
    fi
    if [ $warned = 0 ]; then log "the machine is busy; waiting for it to settle"; warned=1; fi
    sleep 1
  done
  quiet_spent=$((quiet_spent + SECONDS - start))
}
# tracing attachments on the system-call path held by processes other than $1: programs on the syscall
# tracepoints (raw, BTF or classic: sys_enter*, sys_exit*) and kprobes on syscall functions. These add
# to every getppid() of the workload. Other processes' programs elsewhere (scheduler, exec, file
# tracepoints: test suites of other sessions attach many) do not, and do not make a run repeat.
foreign_tracing() {
  bpftool perf show 2>/dev/null \
    | awk -v ours="${1:-none}" '$1 == "pid" && $2 != ours && /sys_enter|sys_exit|_sys_|syscall/' | wc -l
}

# --- 1. ring buffer consumer --------------------------------------------------------------------
ring=$out/ring.txt
if want 1; then : > "$ring"; fi
run_java_ring() {
  "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" RingBench "$out/bpf/ringprod.bpf.o" $ring_args
}
run_c_ring() {
  "$out/ring_consumer" $ring_args
}
want 1 || ROUNDS=0
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="java c"; else order="c java"; fi
  for who in $order; do
    wait_quiet
    log "ring buffer: round $r/$ROUNDS, $who consumer"
    "run_${who}_ring" | sed "s/^/round=$r quiet=$quiet /" >> "$ring" || die "the $who ring consumer failed"
  done
done

# --- 2. per-event cost --------------------------------------------------------------------------
event=$out/event.txt
if want 2; then : > "$event"; fi
nr=$("$out/getppid_loop" --nr)
ready=$out/ready
attacher=$out/attacher.pid
# an interrupted run must not leave a program attached: end the attaching process we started
# (and, for sections 6-9, every helper process, loop device and cgroup that was set up: cleanups holds
# the commands that undo them, run last first)
cleanups=()
cleanup() {
  if [ -s "$attacher" ]; then kill -TERM "$(cat "$attacher")" 2>/dev/null || true; rm -f "$attacher"; fi
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[$i]}" 2>/dev/null || true; done
  cleanups=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# the workload runs on CPU 1, the attaching process (idle once attached) on CPU 0
WORK_CPU=1 TOOL_CPU=0

# waits (up to 10 s) for a condition command to succeed
# stops bpftrace with SIGINT (it then prints its maps); once in a while it misses the first one, so
# send it again after 20 s, and SIGKILL after 40 s, rather than wait forever
stop_bpftrace() { # $1 pid
  local i
  kill -INT "$1" 2>/dev/null || true
  for i in $(seq 1 400); do
    kill -0 "$1" 2>/dev/null || break
    [ "$i" != 200 ] || { log "bpftrace ignored SIGINT for 20 s; sending it again"; kill -INT "$1" 2>/dev/null || true; }
    sleep 0.1
  done
  kill -0 "$1" 2>/dev/null && { log "bpftrace still running after 40 s; killing it"; kill -KILL "$1" 2>/dev/null || true; }
  wait "$1" || true
}
wait_for() {
  local i
  for i in $(seq 1 200); do
    if "$@"; then return 0; fi
    sleep 0.05
  done
  return 1
}

workload() { taskset -c $WORK_CPU "$out/getppid_loop" "$EVENT_CALLS"; }

run_config() { # prints "calls=... cpu_ns_per_call=... wall_ns_per_call=... count=... foreign=..." for one configuration
  local config=$1 pid=none line count=- foreign
  case $config in
    none)
      foreign=$(foreign_tracing)
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing))) ;;
    sonde_tp|sonde_raw|sonde_btf)
      local prog=count_${config#sonde_}
      rm -f "$ready"
      taskset -c $TOOL_CPU "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" CountAttach \
        "$out/bpf/count.bpf.o" "$prog" "$nr" "$ready" > "$out/attach.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      wait_for test -s "$ready" || { kill "$pid" 2>/dev/null; cat "$out/attach.txt" >&2; die "Sonde's $prog did not attach"; }
      foreign=$(foreign_tracing "$pid")
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing "$pid")))
      kill -TERM "$pid"
      wait "$pid" || true
      rm -f "$attacher"
      count=$(sed -n 's/^count=//p' "$out/attach.txt") ;;
    bpftrace_tp|bpftrace_raw)
      local script
      if [ "$config" = bpftrace_tp ]; then
        script='tracepoint:syscalls:sys_enter_getppid { @c = count(); }'
      else
        script="tracepoint:raw_syscalls:sys_enter /args->id == $nr/ { @c = count(); }"
      fi
      taskset -c $TOOL_CPU bpftrace -e "$script" > "$out/bpftrace.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      # attached once the program shows among the perf-event attachments of this pid
      wait_for sh -c "bpftool perf show 2>/dev/null | grep -q 'pid $pid '" \
        || { kill -INT "$pid" 2>/dev/null; cat "$out/bpftrace.txt" >&2; die "bpftrace did not attach"; }
      foreign=$(foreign_tracing "$pid")
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing "$pid")))
      stop_bpftrace "$pid"
      rm -f "$attacher"
      count=$(sed -n 's/^@c: //p' "$out/bpftrace.txt") ;;
  esac
  echo "$line count=${count:--} foreign=$foreign"
}

configs=(none sonde_tp sonde_raw sonde_btf bpftrace_tp bpftrace_raw)
n=${#configs[@]}
want 2 || EVENT_ROUNDS=0
for r in $(seq 1 "$EVENT_ROUNDS"); do
  # rotate the order every round, so that no configuration always runs first or after another
  for i in $(seq 0 $((n - 1))); do
    config=${configs[$(( (i + r - 1) % n ))]}
    # a measurement with someone else's program on the system-call path attached meanwhile is repeated (up to 3 times)
    for try in 1 2 3; do
      wait_quiet
      log "per-event cost: round $r/$EVENT_ROUNDS, $config"
      result=$(run_config "$config") || exit 1
      case $result in *" foreign=0") break ;; esac
      log "another process had a program on the system-call path during the run; repeating it"
    done
    echo "round=$r config=$config quiet=$quiet $result" >> "$event"
  done
done

# --- 3. the syscalls probe ---------------------------------------------------------------------
# The agent's `syscalls` probe (sonde-agent/src/main/bpf/syscalls.bpf.c) adds its cost to every system
# call on the machine: by default one program on tp_btf/sys_exit (calls and errors), with latency on
# (configuration file) raw tracepoints sys_enter and sys_exit. Measured like section 2, with its own
# no-program baseline in every round: getppid() enters and exits once per call.
sys=$out/syscalls.txt
if want 3; then : > "$sys"; fi
# bpftrace counting the same keys as the probe's sys_enter (the issue's comparison), and bpftrace doing
# the probe's full work (count; per-thread entry time; log2 histogram of the duration per syscall;
# failures per cgroup, syscall and errno)
BT_COUNT='tracepoint:raw_syscalls:sys_enter { @[cgroup, args->id] = count(); }'
BT_FULL='tracepoint:raw_syscalls:sys_enter { @c[cgroup, args->id] = count(); @s[tid] = nsecs; } tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @h[args->id] = hist(nsecs - @s[tid]); delete(@s[tid]); if (args->ret < 0) { @e[cgroup, args->id, -args->ret] = count(); } } END { clear(@s); }'
{ echo "BT_COUNT=$BT_COUNT"; echo "BT_FULL=$BT_FULL"; } >> "$meta"

# sonde_syscalls_total for getppid, summed over cgroups, from the agent's /metrics
scrape_getppid() {
  python3 - "$1" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=10).read().decode()
print(int(sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
              if l.startswith("sonde_syscalls_total{") and 'syscall="getppid"' in l)))
PY
}

# starts the real agent through a copy of bin/sonde (its jar, lib/ and JVM flags), on the tool CPU,
# with only probe $1 ("default": the default probe set; more arguments are passed on); it logs
# event=ready once every probe is up. Sets agent_pid and agent_port.
start_agent() {
  local probe=$1; shift
  [ $# -gt 0 ] || set -- --config.file "$base_yaml"
  local select=(--probes "$probe")
  [ "$probe" != default ] || select=()
  taskset -c $TOOL_CPU "$sonde" agent "${select[@]}" --web.listen-address 127.0.0.1:0 "$@" > "$out/agent.txt" 2>&1 &
  agent_pid=$!
  echo "$agent_pid" > "$attacher"
  wait_for grep -Eq 'event=ready probes_up=([0-9]+) probes=\1$' "$out/agent.txt" \
    || { kill -TERM "$agent_pid" 2>/dev/null; cat "$out/agent.txt" >&2; die "the agent ($probe) did not start"; }
  agent_port=$(sed -n 's/.*event=listening address=.*:\([0-9]*\)$/\1/p' "$out/agent.txt" | head -1)
  # the agent opens its first run-time statistics window (which slows every program) as it starts:
  # measure the steady state after it, as the agent spends 58 s of every 60 by default
  sleep 1.5
}
# stops it with SIGTERM: it detaches and must exit 0
stop_agent() {
  kill -TERM "$agent_pid"
  wait "$agent_pid" || die "the agent did not exit cleanly: $(tail -3 "$out/agent.txt")"
  rm -f "$attacher"
}
# the configuration file that turns the syscalls probe's duration histogram on
# the statistics windows: one of 1 s at start, the next a day later (see start_agent)
base_yaml=$out/agent-bench.yaml
printf 'overhead:\n  window_seconds: 1\n  period_seconds: 86400\n' > "$base_yaml"
# sections 6, 7 and 9: the same, and a budget that never samples or detaches (the overhead budget acts
# on the first window's measurement, which on a busy machine may already be over the default 1%): the
# figures are those of the probes' full work
bench_yaml=$out/agent-bench-full.yaml
printf 'overhead:\n  window_seconds: 1\n  period_seconds: 86400\n  budget: 1\n' > "$bench_yaml"
latency_yaml=$out/syscalls-latency.yaml
printf 'probes:\n  syscalls:\n    latency: true\noverhead:\n  window_seconds: 1\n  period_seconds: 86400\n' > "$latency_yaml"

run_sys_config() { # prints "calls=... cpu_ns_per_call=... wall_ns_per_call=... count=... foreign=..."
  local config=$1 pid=none line count=- foreign
  case $config in
    none)
      foreign=$(foreign_tracing)
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing))) ;;
    sonde_agent|sonde_latency)
      # the real agent, as bin/sonde runs it, with only the syscalls probe: by default (one program on
      # tp_btf/sys_exit counting calls and errors) or with latency on (sys_enter + sys_exit, durations)
      local args=()
      if [ "$config" = sonde_latency ]; then args=(--config.file "$latency_yaml"); fi
      start_agent syscalls "${args[@]}"
      pid=$agent_pid
      local before after
      before=$(scrape_getppid "$agent_port") || die "could not scrape the agent"
      foreign=$(foreign_tracing "$pid")
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing "$pid")))
      after=$(scrape_getppid "$agent_port") || die "could not scrape the agent"
      count=$((after - before))
      stop_agent ;;
    var_*)
      local progs
      case $config in
        var_hooks) progs="empty_enter empty_exit" ;;
        var_count_ts) progs="count_ts_enter" ;;
        *) die "unknown variant $config" ;;
      esac
      rm -f "$ready"
      # shellcheck disable=SC2086
      taskset -c $TOOL_CPU "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" SyscallsAttach \
        "$out/bpf/sysvar.bpf.o" "$nr" "$ready" $progs > "$out/attach.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      wait_for test -s "$ready" || { kill "$pid" 2>/dev/null; cat "$out/attach.txt" >&2; die "$config did not attach"; }
      foreign=$(foreign_tracing "$pid")
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing "$pid")))
      kill -TERM "$pid"
      wait "$pid" || true
      rm -f "$attacher"
      count=$(sed -n 's/^count=//p' "$out/attach.txt")
      if [ "$config" = var_hooks ]; then count=-; fi ;; # the empty programs count nothing
    bpftrace_count|bpftrace_full)
      local script probes map
      if [ "$config" = bpftrace_count ]; then script=$BT_COUNT probes=1 map='@'; else script=$BT_FULL probes=2 map='@c'; fi
      taskset -c $TOOL_CPU bpftrace -e "$script" > "$out/bpftrace.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      # attached once all its tracepoints show among the perf-event attachments of this pid
      wait_for sh -c "[ \$(bpftool perf show 2>/dev/null | grep -c 'pid $pid .*tracepoint') -ge $probes ]" \
        || { kill -INT "$pid" 2>/dev/null; cat "$out/bpftrace.txt" >&2; die "bpftrace did not attach"; }
      foreign=$(foreign_tracing "$pid")
      line=$(workload)
      foreign=$((foreign + $(foreign_tracing "$pid")))
      stop_bpftrace "$pid"
      rm -f "$attacher"
      # getppid's entries in the count map, summed over cgroups: lines "@[cgroup, 110]: N"
      count=$(awk -v m="$map" -v nr="$nr" '
        index($0, m "[") == 1 { k = $0; sub(/\]:.*/, "", k); n = split(k, a, ", ");
                               if (n == 2 && a[2] == nr) { s += $NF; hit = 1 } }
        END { if (hit) print s }' "$out/bpftrace.txt") ;;
  esac
  echo "$line count=${count:--} foreign=$foreign"
}

sys_configs=(none sonde_agent sonde_latency bpftrace_count bpftrace_full var_hooks var_count_ts)
n=${#sys_configs[@]}
want 3 || SYS_ROUNDS=0
for r in $(seq 1 "$SYS_ROUNDS"); do
  for i in $(seq 0 $((n - 1))); do
    config=${sys_configs[$(( (i + r - 1) % n ))]}
    for try in 1 2 3; do
      wait_quiet
      log "syscalls probe: round $r/$SYS_ROUNDS, $config"
      result=$(run_sys_config "$config") || exit 1
      case $result in *" foreign=0") break ;; esac
      log "another process had a program on the system-call path during the run; repeating it"
    done
    echo "round=$r config=$config quiet=$quiet $result" >> "$sys"
  done
done

# --- 4. the sched probe ------------------------------------------------------------------------
# The agent's `sched` probe (sonde-agent/src/main/bpf/sched.bpf.c: BTF tracepoints sched_wakeup,
# sched_wakeup_new, sched_switch) adds its cost to every wakeup and context switch on the machine.
# Workload: bench/c/pingpong.c, two threads pinned to CPU 1 passing a byte back and forth over two
# pipes: each round trip is 2 wakeups and 2 context switches, all on CPU 1, so the programs run in
# the workload's threads. Its own no-program baseline in every round.
sched=$out/sched.txt
if want 4; then : > "$sched"; fi
# bpftrace doing the same run-queue latency histogram per cgroup: stamp a task when it is woken or
# switched out still runnable (prev_state 0, or TASK_REPORT_MAX = 256 when preempted: the low byte
# is 0), histogram the wait when it is switched in. `cgroup` is the current task's cgroup, at
# sched_switch that of prev, not of next: bpftrace cannot read next's (a known inexactness).
BT_SCHED='tracepoint:sched:sched_wakeup,tracepoint:sched:sched_wakeup_new { @q[args->pid] = nsecs; } tracepoint:sched:sched_switch { if ((args->prev_state & 255) == 0) { @q[args->prev_pid] = nsecs; } $t = @q[args->next_pid]; if ($t) { @h[cgroup] = hist(nsecs - $t); delete(@q[args->next_pid]); } } END { clear(@q); }'
echo "BT_SCHED=$BT_SCHED" >> "$meta"
# programs of other processes on the scheduler tracepoints (raw or classic), which would add to every
# switch of the workload
foreign_sched() {
  bpftool perf show 2>/dev/null \
    | awk -v ours="${1:-none}" '$1 == "pid" && $2 != ours && /sched_switch|sched_wakeup/' | wc -l
}
pingpong() { "$out/pingpong" "$ROUND_TRIPS" $WORK_CPU; }

# the sum of a metric family's samples (all cgroups and labels) from the agent's /metrics
scrape_sum() { # $1 port, $2 metric, [$3 a file to keep the matching lines in]
  python3 - "$1" "$2" "${3:-}" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=10).read().decode()
lines = [l for l in text.splitlines() if l.startswith(sys.argv[2] + "{") or l.startswith(sys.argv[2] + " ")]
if sys.argv[3]:
    open(sys.argv[3], "w").write("\n".join(lines) + "\n")
print(int(sum(float(l.rsplit(" ", 1)[1]) for l in lines)))
PY
}

run_sched_config() { # prints the pingpong line, then "count=... waits=... foreign=..."
  local config=$1 pid=none line count=- waits=- foreign
  case $config in
    none)
      foreign=$(foreign_sched)
      line=$(pingpong)
      foreign=$((foreign + $(foreign_sched))) ;;
    sonde_agent)
      start_agent sched
      pid=$agent_pid
      local s0 s1 w0 w1
      s0=$(scrape_sum "$agent_port" sonde_context_switches_total) || die "could not scrape the agent"
      w0=$(scrape_sum "$agent_port" sonde_runqueue_latency_seconds_count) || die "could not scrape the agent"
      foreign=$(foreign_sched "$pid")
      line=$(pingpong)
      foreign=$((foreign + $(foreign_sched "$pid")))
      s1=$(scrape_sum "$agent_port" sonde_context_switches_total) || die "could not scrape the agent"
      w1=$(scrape_sum "$agent_port" sonde_runqueue_latency_seconds_count) || die "could not scrape the agent"
      count=$((s1 - s0)) waits=$((w1 - w0))
      stop_agent ;;
    var_empty)
      # attribution: empty programs on the probe's three BTF tracepoints, the floor of its design
      rm -f "$ready"
      taskset -c $TOOL_CPU "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" ProgsAttach \
        "$out/bpf/schedvar.bpf.o" "$ready" empty_wakeup empty_wakeup_new empty_switch > "$out/attach.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      wait_for test -s "$ready" || { kill "$pid" 2>/dev/null; cat "$out/attach.txt" >&2; die "$config did not attach"; }
      foreign=$(foreign_sched "$pid")
      line=$(pingpong)
      foreign=$((foreign + $(foreign_sched "$pid")))
      kill -TERM "$pid"
      wait "$pid" || true
      rm -f "$attacher" ;;
    bpftrace)
      taskset -c $TOOL_CPU bpftrace -e "$BT_SCHED" > "$out/bpftrace.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      wait_for sh -c "[ \$(bpftool perf show 2>/dev/null | grep -c 'pid $pid .*tracepoint') -ge 3 ]" \
        || { kill -INT "$pid" 2>/dev/null; cat "$out/bpftrace.txt" >&2; die "bpftrace did not attach"; }
      foreign=$(foreign_sched "$pid")
      line=$(pingpong)
      foreign=$((foreign + $(foreign_sched "$pid")))
      stop_bpftrace "$pid"
      rm -f "$attacher"
      # the waits in all the printed histograms: lines "[1K, 2K)   123 |@@@|"
      waits=$(awk '/^\[/ { sub(/^\[[^)]*\) */, ""); s += $1; hit = 1 } END { if (hit) print s }' "$out/bpftrace.txt") ;;
  esac
  echo "$line count=${count:--} waits=${waits:--} foreign=$foreign"
}

sched_configs=(none sonde_agent bpftrace var_empty)
n=${#sched_configs[@]}
want 4 || SCHED_ROUNDS=0
for r in $(seq 1 "$SCHED_ROUNDS"); do
  for i in $(seq 0 $((n - 1))); do
    config=${sched_configs[$(( (i + r - 1) % n ))]}
    for try in 1 2 3; do
      wait_quiet
      log "sched probe: round $r/$SCHED_ROUNDS, $config"
      result=$(run_sched_config "$config") || exit 1
      case $result in *" foreign=0") break ;; esac
      log "another process had a program on the scheduler tracepoints during the run; repeating it"
    done
    echo "round=$r config=$config quiet=$quiet $result" >> "$sched"
  done
done

# --- 5. the event pipeline ----------------------------------------------------------------------
# The agent's pipeline classes in one JVM (bench/java/EventPipelineBench.java): EventRing polls the
# ring and decodes with the probes' own decoders, the EventBus enriches (ProcessResolver cache,
# HostAttribution) and hands each event to one subscriber thread through its bounded queue. A producer
# thread of the same JVM makes the producer program write one burst per millisecond (rate/1000
# records, in-kernel bpf_loop), so the rate is paced; loss = ring reservations that failed + events
# the subscriber's queue refused. Each rate: one warm-up second, then PIPE_SECONDS timed.
pipeline=$out/pipeline.txt
if want 5; then
  : > "$pipeline"
  for r in $(seq 1 "$PIPE_ROUNDS"); do
    wait_quiet
    log "event pipeline: round $r/$PIPE_ROUNDS"
    load=$(cut -d' ' -f1 /proc/loadavg)
    "$java" --enable-native-access=ALL-UNNAMED -cp "$out/lib/sonde-bpf.jar:$agent_cp:$out/classes" EventPipelineBench \
      "$out/bpf/eventprod.bpf.o" "$PIPE_SECONDS" "$PIPE_RATES" > "$out/pipeline-run.txt" || die "the pipeline benchmark failed"
    sed -n "s/^RESULT /round=$r quiet=$quiet load=$load /p" "$out/pipeline-run.txt" >> "$pipeline"
  done
fi

# --- 6. the other probes -------------------------------------------------------------------------
# Each remaining probe's hottest hooks, under a workload that does little else, with no program,
# under the real agent running only that probe (`--probes X`), under bpftrace computing the same
# thing, and under empty programs on the same hooks (bench/bpf/probevar.bpf.c: the floor any design
# on those hooks pays). Configurations rotate every round; each round has its own baseline.
#   files:   openat + close of one file (file_loop open), one sys_exit_openat per operation; thread CPU
#   process: fork + _exit + wait (fork_loop), one sched_process_fork and one sched_process_exit per
#            operation; CPU of the process and its reaped children
#   block:   4 KiB O_DIRECT reads at queue depth 1 from a loop device backed by a file in /dev/shm
#            (dio_loop): block_io_start, block_rq_issue, block_rq_complete per read. The loop driver
#            copies in an unbound kworker and completes in the BLOCK softirq (mostly ksoftirqd), so the
#            figure is the CPU time of the reading thread plus that of the kworker and ksoftirqd
#            threads, per read (the median of 10 segments); the wall time, which also counts the idle
#            gaps between these hand-offs and moved by microseconds with the machine's load, is
#            printed beside it
#   tcp, netdev: tcp_pingpong, a 64-byte request and response on one loopback TCP connection between
#            two threads on CPU 1 (two segments per round trip: tcp_probe twice, cgroup_skb egress and
#            ingress twice each); CPU of the process (softirq time is charged to the threads here)
#   drops:   udp_drop, 16-byte datagrams to a loopback port where nothing listens: one kfree_skb (no
#            socket) per datagram, in the sender's context; thread CPU
probes_out=$out/probes.txt
if want 6; then : > "$probes_out"; fi
BT_FILES='tracepoint:syscalls:sys_exit_openat { @[cgroup, args->ret < 0 ? -args->ret : 0] = count(); }'
BT_PROCESS='tracepoint:sched:sched_process_fork { @forks[cgroup] = count(); } tracepoint:sched:sched_process_exit /curtask->signal->live.counter == 0/ { $c = curtask->exit_code; @exits[cgroup, ($c & 0x7f) ? (0x100 | ($c & 0x7f)) : ((($c >> 8) & 0xff) ? 1 : 0)] = count(); printf("exit %d %d %s %d\n", pid, curtask->real_parent->tgid, comm, $c); }'
# the network probes: tcp samples the RTT of a socket at most once a second when a segment arrives
# (tcp_probe); netdev counts packets and bytes per cgroup of the socket from cgroup_skb programs on the
# cgroup v2 root, which bpftrace 0.17 cannot attach: its nearest equivalent counts at the device
# tracepoints, per cgroup of the current task; drops counts per reason and sends one record per drop
BT_TCP='tracepoint:tcp:tcp_probe { $k = args->skaddr; if (nsecs - @seen[$k] >= 1000000000) { @seen[$k] = nsecs; @rtt[cgroup] = hist(args->srtt * 1000); @rrtt[args->dport] = hist(args->srtt * 1000); } } END { clear(@seen); }'
BT_NETDEV='tracepoint:net:net_dev_queue { @p[cgroup, 1] = count(); @b[cgroup, 1] = sum(args->len); } tracepoint:net:netif_receive_skb { @p[cgroup, 0] = count(); @b[cgroup, 0] = sum(args->len); }'
BT_DROPS='tracepoint:skb:kfree_skb /args->reason > 1/ { @[args->reason, args->protocol] = count(); printf("drop %d %d %d %s\n", args->reason, args->protocol, pid, comm); }'
BT_BLOCK='tracepoint:block:block_io_start { @cg[args->dev, args->sector] = cgroup; } tracepoint:block:block_rq_issue { @iss[args->dev, args->sector] = nsecs; } tracepoint:block:block_rq_complete { $t = @iss[args->dev, args->sector]; $g = @cg[args->dev, args->sector]; $b = args->nr_sector * 512; @req[args->dev, args->rwbs] = count(); @bytes[args->dev, args->rwbs] = sum($b); if ($t) { @lat[args->dev, args->rwbs] = hist(nsecs - $t); delete(@iss[args->dev, args->sector]); } if ($g) { @cgb[$g, args->dev, args->rwbs] = sum($b); delete(@cg[args->dev, args->sector]); } } END { clear(@iss); clear(@cg); }'
{ echo "BT_FILES=$BT_FILES"; echo "BT_PROCESS=$BT_PROCESS"; echo "BT_BLOCK=$BT_BLOCK"; echo "BT_TCP=$BT_TCP"
  echo "BT_NETDEV=$BT_NETDEV"; echo "BT_DROPS=$BT_DROPS"; } >> "$meta"
PROBES6=${PROBES6:-files process block tcp netdev drops}
open_target=$out/open-target
DIO_SPAN=$((32 * 1024 * 1024))

# other processes' programs (classic or raw tracepoints) on the hooks a probe's workload passes
foreign_probe() { # $1 probe, $2 our pid
  local pattern
  case $1 in
    files) pattern='sys_enter|sys_exit|_sys_|syscall' ;;
    process) pattern='sched_process' ;;
    block) pattern='block_' ;;
    tcp) pattern='tcp_|inet_sock' ;;
    netdev) pattern='net_dev|netif|cgroup_skb' ;;
    drops) pattern='kfree_skb' ;;
  esac
  bpftool perf show 2>/dev/null \
    | awk -v ours="${2:-none}" -v re="$pattern" '$1 == "pid" && $2 != ours && $0 ~ re' | wc -l
}
probe_workload() { # $1 probe, $2 divisor of the operations (default 1)
  local d=${2:-1}
  case $1 in
    files) taskset -c $WORK_CPU "$out/file_loop" open $((FILE_OPS / d)) "$open_target" ;;
    process) taskset -c $WORK_CPU "$out/fork_loop" $((FORKS / d)) ;;
    block) taskset -c $WORK_CPU "$out/dio_loop" $((DIO_OPS / d)) "$loopdev" "$DIO_SPAN" ;;
    tcp|netdev) "$out/tcp_pingpong" $((TCP_ROUND_TRIPS / d)) $WORK_CPU ;;
    drops) taskset -c $WORK_CPU "$out/udp_drop" $((DROP_OPS / d)) "$drop_port" ;;
  esac
}
# The programs' own cost, as the kernel measures it: after the timed run, with the programs still
# attached, a run of a fifth of the operations with the kernel's run-time statistics on; prints
# prog_ns (the run time of every program the process $2 holds, summed, per operation of that run) and
# prog_runs (program runs per operation). Independent of the workload's noise; it leaves out what the
# hook itself costs before a program runs (the same for Sonde and bpftrace on the same kind of hook,
# and more for bpftrace's classic tracepoints), and includes the statistics' own two clock reads per run.
prog_stats() { # $1 probe, $2 pid holding the programs
  local ids line
  ids=$(cat /proc/"$2"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" {print $2}' | sort -un | tr '\n' ',')
  if [ -z "$ids" ]; then echo "prog_ns=0 prog_runs=0 progs=0"; return; fi
  sysctl -qw kernel.bpf_stats_enabled=1
  bpftool prog show -j > "$out/stats0.json"
  line=$(probe_workload "$1" 5)
  bpftool prog show -j > "$out/stats1.json"
  sysctl -qw kernel.bpf_stats_enabled=0
  python3 - "$out/stats0.json" "$out/stats1.json" "$ids" "$line" <<'PY'
import json, sys
ids = {int(x) for x in sys.argv[3].split(",") if x}
ops = int(next(f for f in sys.argv[4].split() if f.startswith("ops=")).split("=")[1])
def read(path):
    return {p["id"]: (p.get("run_time_ns", 0), p.get("run_cnt", 0), p.get("recursion_misses", 0))
            for p in json.load(open(path)) if p["id"] in ids}
a, b = read(sys.argv[1]), read(sys.argv[2])
ns = sum(b[i][0] - a.get(i, (0, 0, 0))[0] for i in b)
runs = sum(b[i][1] - a.get(i, (0, 0, 0))[1] for i in b)
# runs the kernel skipped since the programs were loaded (timed run included): one of them already
# running on that CPU, under an interrupt or a preemption
misses = sum(b[i][2] for i in b)
print(f"prog_ns={ns / ops:.1f} prog_runs={runs / ops:.2f} progs={len(ids)} prog_misses={misses}")
PY
}
run_probe_config() { # $1 probe, $2 config; prints the workload's line, then count=... foreign=...
  local probe=$1 config=$2 pid=none line count=- foreign script probes progs
  case $config in
    none)
      foreign=$(foreign_probe "$probe")
      line=$(probe_workload "$probe")
      foreign=$((foreign + $(foreign_probe "$probe"))) ;;
    sonde_agent|sonde_syscalls|sonde_pair)
      local metric c0 c1 select=$probe
      case $config in sonde_syscalls) select=syscalls ;; sonde_pair) select=syscalls,files ;; esac
      case $probe in
        files) metric=sonde_file_opens_total ;;
        process) metric=sonde_process_forks_total ;;
        block) metric=sonde_block_io_requests_total ;;
        tcp) metric=none ;; # its counters move per connection, not per segment: no count to check
        netdev) metric=sonde_network_packets_total ;;
        drops) metric=sonde_packet_drops_total ;;
      esac
      [ "$config" != sonde_syscalls ] || metric=sonde_syscalls_total
      start_agent "$select" --config.file "$bench_yaml"
      pid=$agent_pid
      c0=0 c1=0
      # the series before and after are kept (bench/out/scrape-PROBE-CONFIG-rROUND-{0,1}.txt) to look into a short count
      [ "$metric" = none ] || c0=$(scrape_sum "$agent_port" "$metric" "$out/scrape-$probe-$config-r$r-0.txt") \
        || die "could not scrape the agent"
      foreign=$(foreign_probe "$probe" "$pid")
      line=$(probe_workload "$probe")
      foreign=$((foreign + $(foreign_probe "$probe" "$pid")))
      [ "$metric" = none ] || c1=$(scrape_sum "$agent_port" "$metric" "$out/scrape-$probe-$config-r$r-1.txt") \
        || die "could not scrape the agent"
      line="$line $(prog_stats "$probe" "$pid")"
      count=$((c1 - c0)); [ "$metric" != none ] || count=-
      stop_agent ;;
    var_empty|var_btf)
      case $probe in
        files) if [ "$config" = var_btf ]; then progs="files_btf_exit"; else progs="empty_openat"; fi ;;
        process) progs="empty_fork empty_exit" ;;
        block) progs="empty_io_start empty_rq_issue empty_rq_complete" ;;
        tcp) progs="empty_tcp_probe empty_set_state" ;;
        netdev) progs="empty_ingress@ingress:$cg2 empty_egress@egress:$cg2" ;;
        drops) progs="empty_kfree_skb" ;;
      esac
      rm -f "$ready"
      # shellcheck disable=SC2086
      taskset -c $TOOL_CPU "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" ProgsAttach \
        "$out/bpf/probevar.bpf.o" "$ready" $progs > "$out/attach.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      wait_for test -s "$ready" || { kill "$pid" 2>/dev/null; cat "$out/attach.txt" >&2; die "$probe $config did not attach"; }
      foreign=$(foreign_probe "$probe" "$pid")
      line=$(probe_workload "$probe")
      foreign=$((foreign + $(foreign_probe "$probe" "$pid")))
      line="$line $(prog_stats "$probe" "$pid")"
      kill -TERM "$pid"
      wait "$pid" || true
      rm -f "$attacher" ;;
    bpftrace)
      case $probe in
        files) script=$BT_FILES probes=1 ;;
        process) script=$BT_PROCESS probes=2 ;;
        block) script=$BT_BLOCK probes=3 ;;
        tcp) script=$BT_TCP probes=1 ;;
        netdev) script=$BT_NETDEV probes=2 ;;
        drops) script=$BT_DROPS probes=1 ;;
      esac
      taskset -c $TOOL_CPU bpftrace -e "$script" > "$out/bpftrace.txt" 2>&1 &
      pid=$!
      echo "$pid" > "$attacher"
      wait_for sh -c "[ \$(bpftool perf show 2>/dev/null | grep -c 'pid $pid .*tracepoint') -ge $probes ]" \
        || { kill -INT "$pid" 2>/dev/null; cat "$out/bpftrace.txt" >&2; die "bpftrace did not attach"; }
      foreign=$(foreign_probe "$probe" "$pid")
      line=$(probe_workload "$probe")
      foreign=$((foreign + $(foreign_probe "$probe" "$pid")))
      line="$line $(prog_stats "$probe" "$pid")"
      stop_bpftrace "$pid"
      rm -f "$attacher"
      # the counting map's samples, summed: files every "@[...]: N", process "@forks[...]", block "@req[...]"
      local map
      case $probe in files|drops) map='@[' ;; process) map='@forks[' ;; block) map='@req[' ;; netdev) map='@p[' ;; tcp) map=none ;; esac
      count=$(awk -v m="$map" 'index($0, m) == 1 { s += $NF; hit = 1 } END { if (hit) print s }' "$out/bpftrace.txt")
      if [ "$probe" = process ]; then # and the exit records it printed
        count="$count exit_records=$(grep -c '^exit ' "$out/bpftrace.txt" || true)"
      fi ;;
  esac
  echo "$line count=${count:--} foreign=$foreign"
}

want 6 || PROBE_ROUNDS=0
cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
drop_port=none
if [ "$PROBE_ROUNDS" -gt 0 ]; then
  cleanups+=("sysctl -qw kernel.bpf_stats_enabled=0")
  : > "$open_target"
  # a loopback UDP port where nothing listens: bound for a moment by python, then free
  drop_port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  case " $PROBES6 " in *" block "*)
    losetup --help >/dev/null 2>&1 || die "losetup is missing (apt-get install mount)"
    loopimg=/dev/shm/sonde-bench-$$.img
    truncate -s 64M "$loopimg"
    cleanups+=("rm -f $loopimg")
    loopdev=$(losetup --find --show "$loopimg") || die "could not set up a loop device on $loopimg"
    cleanups+=("losetup -d $loopdev")
    dd if=/dev/zero of="$loopdev" bs=1M count=$((DIO_SPAN / 1048576)) oflag=direct status=none
    echo "loop_device=$loopdev backed by $loopimg (tmpfs), scheduler $(cat /sys/block/"$(basename "$loopdev")"/queue/scheduler)" >> "$meta" ;;
  esac
fi
for r in $(seq 1 "$PROBE_ROUNDS"); do
  for probe in $PROBES6; do
    probe_configs=(none sonde_agent bpftrace var_empty)
    # files: also the default pairing, the agent with syscalls + files (files then takes its counts from
    # the syscalls probe and attaches nothing), against the agent with syscalls alone: the difference is
    # what files adds per open in the default set
    if [ "$probe" = files ]; then probe_configs+=(sonde_syscalls sonde_pair); fi
    n=${#probe_configs[@]}
    for i in $(seq 0 $((n - 1))); do
      config=${probe_configs[$(( (i + r - 1) % n ))]}
      for try in 1 2 3; do
        wait_quiet
        log "$probe probe: round $r/$PROBE_ROUNDS, $config"
        result=$(run_probe_config "$probe" "$config") || exit 1
        case $result in *" foreign=0") break ;; esac
        log "another process had a program on the $probe probe's tracepoints during the run; repeating it"
      done
      echo "round=$r probe=$probe config=$config quiet=$quiet $result" >> "$probes_out"
    done
  done
done
if [ "$PROBE_ROUNDS" -gt 0 ]; then cleanup; fi

# --- HTTP workload (sections 7 and 8) ------------------------------------------------------------
# bench/c/http_server.c on CPU 1 (the work CPU), bench/c/http_load.c on CPU 0 with the agent (the
# tool CPU: the agent is idle while nobody scrapes it). The load is open-loop at HTTP_RATE requests/s
# over HTTP_CONNS keep-alive connections; latency counts from each request's due time.
free_port() { # a free TCP port on 127.0.0.1
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
start_http_server() {
  http_port=$(free_port)
  taskset -c $WORK_CPU "$out/http_server" "$http_port" > "$out/http_server.txt" 2>&1 &
  http_server_pid=$!
  cleanups+=("kill -TERM $http_server_pid")
  wait_for grep -q listening "$out/http_server.txt" || die "the HTTP server did not start: $(cat "$out/http_server.txt")"
}
http_load() { # $1 seconds
  taskset -c $TOOL_CPU "$out/http_load" "$http_port" "$HTTP_RATE" "$1" "$HTTP_CONNS" 1
}

# --- 7. workload slowdown ------------------------------------------------------------------------
# The agent with its default probe set (no --probes) against no agent, alternating per round (the
# first configuration alternates too); in each, three workloads one after another: getppid() as in
# section 2 (CPU 1), the file loop (open, write 4 KiB, read them back, close, on a file under
# bench/out, CPU 1), and HTTP at a fixed rate (above).
slow=$out/slowdown.txt
slow_progs=$out/slowdown-progs.txt
if want 7; then : > "$slow"; : > "$slow_progs"; fi
# Where the agent's kernel-side time per request goes, by the kernel's run-time statistics: after the
# last round's timed HTTP run, with the agent still attached, a run of HTTP_SECONDS / 2 (no warm-up) with
# the statistics on; one line per program of the agent's (runs and run time per request). The statistics
# add two clock reads per run, and leave out each hook's own dispatch.
http_prog_stats() {
  local ids stats_line
  ids=$(cat /proc/"$agent_pid"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" {print $2}' | sort -un | tr '\n' ',')
  sysctl -qw kernel.bpf_stats_enabled=1
  bpftool prog show -j > "$out/stats0.json"
  # no warm-up: every request sent is counted
  stats_line=$(taskset -c $TOOL_CPU "$out/http_load" "$http_port" "$HTTP_RATE" $((HTTP_SECONDS / 2)) "$HTTP_CONNS" 0) \
    || { sysctl -qw kernel.bpf_stats_enabled=0; die "http_load failed"; }
  bpftool prog show -j > "$out/stats1.json"
  sysctl -qw kernel.bpf_stats_enabled=0
  python3 - "$out/stats0.json" "$out/stats1.json" "$ids" "$stats_line" >> "$slow_progs" <<'PY'
import json, sys
ids = {int(x) for x in sys.argv[3].split(",") if x}
run = dict(f.split("=", 1) for f in sys.argv[4].split() if "=" in f)
requests = int(run["requests"])
def read(path):
    return {p["id"]: p for p in json.load(open(path)) if p["id"] in ids}
a, b = read(sys.argv[1]), read(sys.argv[2])
for i, p in sorted(b.items()):
    runs = p.get("run_cnt", 0) - a.get(i, {}).get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - a.get(i, {}).get("run_time_ns", 0)
    if runs:
        print(f"prog={p.get('name', i)} requests={requests} runs={runs} ns={ns} p50_us={run['p50_us']}")
PY
}
want 7 || SLOW_ROUNDS=0
if [ "$SLOW_ROUNDS" -gt 0 ]; then
  start_http_server
  cleanups+=("sysctl -qw kernel.bpf_stats_enabled=0")
  # one untimed start: it writes bin/sonde's class-data archive (as the first start after a build does),
  # so that every timed round starts the agent as a restart of a deployed one would
  start_agent default --config.file "$bench_yaml"; stop_agent
fi
for r in $(seq 1 "$SLOW_ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="none sonde_default"; else order="sonde_default none"; fi
  for config in $order; do
    if [ "$config" = sonde_default ]; then
      start_agent default --config.file "$bench_yaml"
      # its steady state: for half a minute after start the JIT compiles the agent's code, on CPU 0
      # where the load generator runs
      sleep "$SLOW_SETTLE"
    fi
    wait_quiet
    log "slowdown: round $r/$SLOW_ROUNDS, $config, getppid"
    # other processes' programs on the system-call path are noted (foreign=), not repeated: the
    # agent's own attachments are excluded by pid
    pid=${agent_pid:-none}; [ "$config" = sonde_default ] || pid=none
    foreign=$(foreign_tracing "$pid")
    line=$(workload) || die "getppid_loop failed"
    foreign=$((foreign + $(foreign_tracing "$pid")))
    echo "round=$r config=$config workload=getppid quiet=$quiet $line foreign=$foreign" >> "$slow"
    wait_quiet
    log "slowdown: round $r/$SLOW_ROUNDS, $config, file I/O"
    foreign=$(foreign_tracing "$pid")
    line=$(taskset -c $WORK_CPU "$out/file_loop" rw "$FILEIO_OPS" "$out") || die "file_loop failed"
    foreign=$((foreign + $(foreign_tracing "$pid")))
    echo "round=$r config=$config workload=fileio quiet=$quiet $line foreign=$foreign" >> "$slow"
    wait_quiet
    log "slowdown: round $r/$SLOW_ROUNDS, $config, HTTP at $HTTP_RATE/s for $HTTP_SECONDS s"
    [ "$config" = none ] || c0=$(awk '{print $14 + $15}' "/proc/$agent_pid/stat")
    line=$(http_load "$HTTP_SECONDS") || die "http_load failed: $line"
    # the agent's own CPU time over the run (it shares CPU 0 with the load generator)
    [ "$config" = none ] || line="$line agent_ticks=$(( $(awk '{print $14 + $15}' "/proc/$agent_pid/stat") - c0 ))"
    echo "round=$r config=$config workload=http quiet=$quiet $line" >> "$slow"
    if [ "$config" = sonde_default ] && [ "$r" = "$SLOW_ROUNDS" ]; then http_prog_stats; fi
    if [ "$config" = sonde_default ]; then stop_agent; fi
  done
done
if [ "$SLOW_ROUNDS" -gt 0 ]; then cleanup; fi

# --- 8. the agent itself -------------------------------------------------------------------------
# Two launches of the same jar with the default probes and the default configuration: `bin/sonde`
# (a copy, with its JVM flags) and `java -jar` with the JVM's defaults (what bin/sonde did before its
# flags). Per launch: READY_STARTS timed starts (after one untimed start, which also writes the
# class-data archive of bin/sonde), from the fork to the first 200 of /-/ready, polled every 10 ms;
# then one start measured idle for IDLE_SECONDS (CPU from /proc/PID/stat, resident memory from
# /proc/PID/status every 5 s, a scrape of /metrics every 15 s; for bin/sonde, a second interval right
# after it: the first still holds the JIT's work), then under the HTTP workload for LOAD_SECONDS (same
# rate, a scrape every 15 s).
foot=$out/footprint.txt
if want 8; then : > "$foot"; fi
launch_agent() { # $1 launcher, $2 port: starts the agent with the default probes and configuration
  case $1 in
    sonde) taskset -c $TOOL_CPU "$sonde" agent --web.listen-address "127.0.0.1:$2" > "$out/agent.txt" 2>&1 & ;;
    jvm_defaults) taskset -c $TOOL_CPU "$java" --enable-native-access=ALL-UNNAMED -jar "$out/agent/sonde-agent/target/sonde-agent.jar" \
      agent --web.listen-address "127.0.0.1:$2" > "$out/agent.txt" 2>&1 & ;;
  esac
  agent_pid=$!
  echo "$agent_pid" > "$attacher"
}
# prints ms from $1 (ns since the epoch) to the first 200 of /-/ready on port $2 (polled every 10 ms, 20 s at most)
ready_ms() {
  python3 - "$1" "$2" <<'PY'
import sys, time, urllib.request
t0, port = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 20
while time.time() < deadline:
    try:
        if urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1).status == 200:
            print(f"{(time.time_ns() - t0) / 1e6:.0f}")
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.01)
sys.exit(1)
PY
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
scrape_quiet() { curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$1/metrics"; }
# watches the agent for $2 seconds while running command $3... (or sleeping): samples RSS every 5 s,
# scrapes every 15 s (the first at 0); prints cpu_percent, rss_kb at the end and the max, scrapes
watch_agent() {
  local port=$1 secs=$2; shift 2
  local c0 c1 t0 t1 max=0 now_rss scrapes=0 next_scrape=0 bg=none
  if [ $# -gt 0 ]; then "$@" > "$out/watch-load.txt" 2>&1 & bg=$!; fi
  t0=$(date +%s%N); c0=$(cpu_ticks "$agent_pid")
  local elapsed=0
  while [ "$elapsed" -lt "$secs" ]; do
    if [ "$elapsed" -ge "$next_scrape" ]; then scrape_quiet "$port"; scrapes=$((scrapes + 1)); next_scrape=$((next_scrape + 15)); fi
    now_rss=$(rss_kb "$agent_pid"); [ "$now_rss" -le "$max" ] || max=$now_rss
    sleep 5
    elapsed=$(( ($(date +%s%N) - t0) / 1000000000 ))
  done
  c1=$(cpu_ticks "$agent_pid"); t1=$(date +%s%N)
  now_rss=$(rss_kb "$agent_pid"); [ "$now_rss" -le "$max" ] || max=$now_rss
  if [ "$bg" != none ]; then wait "$bg" || die "the load during the watch failed: $(cat "$out/watch-load.txt")"; fi
  python3 -c "import sys; c, t, hz = float(sys.argv[1]), float(sys.argv[2]) / 1e9, float(sys.argv[3]); print(f'seconds={t:.1f} cpu_percent={100 * c / hz / t:.3f}', end=' ')" \
    "$((c1 - c0))" "$((t1 - t0))" "$(getconf CLK_TCK)"
  echo "rss_kb=$now_rss rss_max_kb=$max scrapes=$scrapes $(agent_memory "$port")"
}
agent_memory() { # the agent's own figures from /api/probes
  python3 - "$1" <<'PY'
import json, sys, urllib.request
a = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/probes", timeout=10))["agent"]
print(" ".join(f"{k}={a[k]}" for k in ("resident_bytes", "heap_used_bytes", "heap_committed_bytes",
      "non_heap_used_bytes", "non_heap_committed_bytes", "direct_buffer_bytes", "mapped_buffer_bytes") if k in a))
PY
}
# scrapes $2 times back to back; prints the resident memory before, at most (sampled every 20 scrapes)
# and after, and the agent's CPU per scrape
soak_agent() {
  python3 - "$1" "$2" "$agent_pid" "$(getconf CLK_TCK)" <<'PY'
import sys, urllib.request
port, n, pid, hz = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
def rss():
    return next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
r0, c0, top = rss(), cpu(), 0
for i in range(n):
    urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
    if i % 20 == 0:
        top = max(top, rss())
r1 = rss()
print(f"soak_scrapes={n} rss_start_kb={r0} rss_max_kb={max(top, r1)} rss_kb={r1} cpu_ms_per_scrape={(cpu() - c0) * 1000 / n:.1f}", end="")
PY
}
want 8 || READY_STARTS=-1
if [ "$READY_STARTS" -ge 0 ]; then
  agent7_port=$(free_port)
  for launcher in sonde jvm_defaults; do
    for k in $(seq 0 "$READY_STARTS"); do
      wait_quiet
      log "agent footprint: $launcher, start $k/$READY_STARTS (0: untimed)"
      t0=$(date +%s%N)
      launch_agent "$launcher" "$agent7_port"
      ms=$(ready_ms "$t0" "$agent7_port") || { cat "$out/agent.txt" >&2; die "the agent ($launcher) did not become ready"; }
      if [ "$k" -gt 0 ]; then
        echo "launcher=$launcher what=ready start=$k quiet=$quiet ready_ms=$ms rss_kb=$(rss_kb "$agent_pid")" >> "$foot"
      fi
      stop_agent
    done
  done
  start_http_server
  for launcher in sonde jvm_defaults; do
    wait_quiet
    launch_agent "$launcher" "$agent7_port"
    ready_ms "$(date +%s%N)" "$agent7_port" > /dev/null || die "the agent ($launcher) did not become ready"
    sleep 10 # past the start's JIT compilation and first statistics window
    log "agent footprint: $launcher, idle for $IDLE_SECONDS s"
    echo "launcher=$launcher what=idle quiet=$quiet $(watch_agent "$agent7_port" "$IDLE_SECONDS")" >> "$foot"
    if [ "$launcher" = sonde ]; then
      # the next interval too: the first one still holds the JIT's compilation of the agent's code
      log "agent footprint: $launcher, idle for another $IDLE_SECONDS s"
      echo "launcher=$launcher what=idle2 quiet=$quiet $(watch_agent "$agent7_port" "$IDLE_SECONDS")" >> "$foot"
    fi
    log "agent footprint: $launcher, under HTTP at $HTTP_RATE/s for $LOAD_SECONDS s"
    echo "launcher=$launcher what=http quiet=$quiet $(watch_agent "$agent7_port" "$LOAD_SECONDS" http_load "$LOAD_SECONDS") $(tail -1 "$out/watch-load.txt")" >> "$foot"
    if [ "$launcher" = sonde ] && [ "$SOAK_SCRAPES" -gt 0 ]; then
      # days of scrapes in a minute or two: memory that grows per scrape shows here, not in the minutes above
      log "agent footprint: $launcher, $SOAK_SCRAPES scrapes back to back"
      echo "launcher=$launcher what=soak quiet=$quiet $(soak_agent "$agent7_port" "$SOAK_SCRAPES") $(agent_memory "$agent7_port")" >> "$foot"
    fi
    stop_agent
  done
  cleanup
fi

# --- 9. /metrics size ----------------------------------------------------------------------------
# The agent (bin/sonde, default probes, metrics.series_budget raised so that nothing folds into
# "other") while K test cgroups each ran one short process (bench/c/cgroup_spread.c), K grown until
# the exposition has about 1,000 and then about 10,000 samples; at each size, SCRAPES scrapes of the
# agent and of Debian's prometheus-node-exporter (its own instance on a free port), alternating, timed
# by curl (time_total: connect to last byte) with the body size.
metrics9=$out/metrics.txt
if want 9; then : > "$metrics9"; fi
if want 9; then
  cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
  [ -n "$cg2" ] || die "no cgroup v2 mount found"
  cgbase=$cg2/sonde-bench-$$
  cleanups+=("find $cgbase -mindepth 1 -depth -type d -exec rmdir {} + ; rmdir $cgbase")
  printf 'metrics:\n  series_budget: 1000000\noverhead:\n  window_seconds: 1\n  period_seconds: 86400\n  budget: 1\n' > "$out/metrics9.yaml"
  start_agent default --config.file "$out/metrics9.yaml"
  ne_port=$(free_port)
  prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" > "$out/node-exporter.txt" 2>&1 &
  ne_pid=$!
  cleanups+=("kill -TERM $ne_pid")
  wait_for curl -sf -o /dev/null "http://127.0.0.1:$ne_port/metrics" || die "prometheus-node-exporter did not start: $(cat "$out/node-exporter.txt")"
  echo "node_exporter=$(prometheus-node-exporter --version 2>&1 | head -1)" >> "$meta"
  samples() { curl -s --max-time 20 "$1" | grep -c -v -e '^#' -e '^$'; }
  spread_to() { # grows the test cgroups until the agent's exposition has about $1 samples
    local target=$1 have per=60 add made=${cgroups_made:-0} tries=0
    have=$(samples "http://127.0.0.1:$agent_port/metrics")
    while [ "$have" -lt $((target * 95 / 100)) ] && [ $tries -lt 10 ]; do
      add=$(( (target - have) * 9 / 10 / per + 1 ))
      "$out/cgroup_spread" "$cgbase" "$made" $((made + add)) || die "cgroup_spread failed"
      made=$((made + add)) tries=$((tries + 1))
      local before=$have
      have=$(samples "http://127.0.0.1:$agent_port/metrics")
      [ "$have" -le "$before" ] || per=$(( (have - before) / add > 0 ? (have - before) / add : 1 ))
    done
    cgroups_made=$made
  }
  for target in 1000 10000; do
    spread_to "$target"
    sonde_n=$(samples "http://127.0.0.1:$agent_port/metrics")
    ne_n=$(samples "http://127.0.0.1:$ne_port/metrics")
    log "metrics: about $target: the agent has $sonde_n samples ($cgroups_made test cgroups), the node exporter $ne_n"
    for k in $(seq 1 "$SCRAPES"); do
      if [ $((k % 2)) = 1 ]; then order="sonde node_exporter"; else order="node_exporter sonde"; fi
      for who in $order; do
        if [ "$who" = sonde ]; then url=http://127.0.0.1:$agent_port/metrics n=$sonde_n; else url=http://127.0.0.1:$ne_port/metrics n=$ne_n; fi
        wait_quiet
        m=$(curl -s -o /dev/null --max-time 20 -w '%{time_total} %{size_download} %{http_code}' "$url") || die "could not scrape $url"
        read -r secs bytes code <<< "$m"
        [ "$code" = 200 ] || die "$url answered $code"
        echo "target=$target who=$who scrape=$k quiet=$quiet samples=$n cgroups=$cgroups_made seconds=$secs bytes=$bytes" >> "$metrics9"
      done
    done
  done
  stop_agent
  cleanup
fi

{
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "links_end=$(foreign_links)"
  echo "perf_attached_end=$(foreign_perf)"
} >> "$meta"

# sections 1-5: report.py writes the whole file from the raw results in bench/out; sections 6-9:
# report_more.py then puts the text of the sections that ran into it, keeping the others' text from
# the file as it was
previous=$out/RESULTS.previous.md
if [ -f "$RESULTS" ]; then cp "$RESULTS" "$previous"; else : > "$previous"; fi
if want 1 || want 2 || want 3 || want 4 || want 5; then
  python3 "$bench/report.py" "$meta" "$ring" "$event" "$sys" "$sched" "$RESULTS" "$pipeline"
fi
python3 "$bench/report_more.py" "$meta" "$previous" "$RESULTS" "$SECTIONS" "$probes_out" "$slow" "$foot" "$metrics9"
log "wrote $RESULTS"
