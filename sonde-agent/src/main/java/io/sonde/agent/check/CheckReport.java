package io.sonde.agent.check;

import java.util.List;

/**
 * CheckReport is the result of {@link KernelCheck#run()}: the host, each program and map type as
 * tried for real, the verdict per built-in probe, and whether Sonde's core needs are met.
 *
 * <pre>{@code
 * CheckReport report = KernelCheck.run();
 * if (report.problem() != null) {
 *     System.err.println(report.problem());   // not root, or no libbpf: nothing was tried
 * }
 * int exit = report.ready() ? 0 : 1;
 * }</pre>
 *
 * @param host the machine, or null when the check could not start
 * @param programTypes one entry per program type, in a fixed order
 * @param mapTypes one entry per map type, in a fixed order
 * @param probes one verdict per built-in probe
 * @param ready whether the core needs (BTF, tracepoints, raw tracepoints, ring buffers) are met
 * @param missing the core needs that are not met
 * @param problem why the check could not start (one sentence), or null
 */
public record CheckReport(Host host, List<Feature> programTypes, List<Feature> mapTypes, List<ProbeVerdict> probes,
        boolean ready, List<String> missing, String problem) {
    /** A report for a check that could not start. */
    static CheckReport cannotStart(String problem) {
        return new CheckReport(null, List.of(), List.of(), List.of(), false, List.of(), problem);
    }

    /** The program or map type entry with this name, or null. */
    public Feature feature(String name) {
        for (List<Feature> list : List.of(programTypes, mapTypes)) {
            for (Feature f : list) {
                if (f.name().equals(name)) {
                    return f;
                }
            }
        }
        return null;
    }
}
