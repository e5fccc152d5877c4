package io.sonde.agent.events;

import io.sonde.agent.enrich.ContainerIdentity;
import io.sonde.agent.enrich.ProcessInfo;
import io.sonde.agent.enrich.ProcessResolver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * EventEnricher adds to a decoded event what the kernel record does not carry: the executable of the
 * process (through the {@link ProcessResolver}'s bounded cache, forgotten on exec and exit) and the pod
 * of the cgroup (from its path, {@link ContainerIdentity}). It runs on the probe's consumer thread,
 * once per event that some subscriber accepts.
 *
 * <pre>{@code
 * EventBus bus = new EventBus(new EventEnricher(new ProcessResolver()));
 * }</pre>
 */
public final class EventEnricher {
    /** An enricher that adds nothing (tests, benchmarks of the bus alone). */
    public static final EventEnricher NONE = new EventEnricher(null);

    private static final int PODS = 1024;

    private final ProcessResolver processes;
    private final Map<String, String> pods = new LinkedHashMap<>(PODS, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > PODS;
        }
    };

    /** An enricher reading processes through this resolver; null to add no executable. */
    public EventEnricher(ProcessResolver processes) {
        this.processes = processes;
    }

    /** The event with its executable and pod. */
    public EnrichedEvent enrich(String probe, Event event) {
        String exe = "";
        int pid = event.pid();
        if (processes != null && pid > 0) {
            String type = event.type();
            if (type.equals("exec") || type.equals("exit")) {
                processes.forget(pid); // a new executable, or no process any more
            }
            exe = type.equals("exit") ? "" : processes.lookup(pid).map(ProcessInfo::executable).orElse("");
        }
        return new EnrichedEvent(probe, event, exe, pod(event.cgroup()));
    }

    private String pod(String cgroup) {
        if (cgroup == null || cgroup.isEmpty() || this == NONE) {
            return "";
        }
        synchronized (pods) {
            String pod = pods.get(cgroup);
            if (pod == null) {
                pod = ContainerIdentity.parse(cgroup).map(ContainerIdentity::podUid).orElse("");
                pods.put(cgroup, pod);
            }
            return pod;
        }
    }
}
