package io.sonde.agent.cli;

import io.sonde.agent.check.CheckReport;
import io.sonde.agent.check.Feature;
import io.sonde.agent.check.Host;
import io.sonde.agent.check.ProbeVerdict;

import java.util.List;

/** CheckText lays a check report out for a person: sections of aligned name, yes/no and detail columns. */
final class CheckText {
    private CheckText() {}

    private static final String ROW = "  %-18s %-5s %s%n";

    static String format(CheckReport report) {
        StringBuilder sb = new StringBuilder();
        Host host = report.host();
        sb.append("host\n");
        row(sb, "kernel", "", host.kernel());
        row(sb, "libbpf", "", host.libbpf());
        feature(sb, "BTF", host.btf());
        feature(sb, "tracefs", host.tracefs());
        feature(sb, "bpffs", host.bpffs());
        feature(sb, "cgroup v2", host.cgroup2());
        row(sb, "online CPUs", String.valueOf(host.onlineCpus().size()), cpuList(host.onlineCpus()));
        sb.append("\nprogram types (each loaded for real)\n");
        report.programTypes().forEach(f -> feature(sb, f.name(), f));
        sb.append("\nmap types\n");
        report.mapTypes().forEach(f -> feature(sb, f.name(), f));
        sb.append("\nbuilt-in probes\n");
        for (ProbeVerdict v : report.probes()) {
            row(sb, v.probe(), yesNo(v.canRun()), v.detail());
        }
        long running = report.probes().stream().filter(ProbeVerdict::canRun).count();
        sb.append('\n');
        if (report.ready()) {
            sb.append("ready: Sonde can run here; ").append(running).append(" of ").append(report.probes().size())
                    .append(" built-in probes can run.\n");
        } else {
            sb.append("not ready: this kernel lacks ").append(String.join(", ", report.missing()))
                    .append(", which Sonde's probes need; ").append(running).append(" of ")
                    .append(report.probes().size()).append(" built-in probes can run.\n");
        }
        return sb.toString();
    }

    private static void feature(StringBuilder sb, String label, Feature f) {
        row(sb, label, yesNo(f.supported()), f.detail());
    }

    private static void row(StringBuilder sb, String name, String status, String detail) {
        sb.append(String.format(ROW, name, status, detail).stripTrailing()).append('\n');
    }

    private static String yesNo(boolean yes) {
        return yes ? "yes" : "no";
    }

    /** Such as "0-3,6" for [0, 1, 2, 3, 6]. */
    static String cpuList(List<Integer> cpus) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cpus.size(); i++) {
            int j = i;
            while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) {
                j++;
            }
            sb.append(sb.isEmpty() ? "" : ",").append(cpus.get(i)).append(j > i ? "-" + cpus.get(j) : "");
            i = j;
        }
        return sb.toString();
    }
}
