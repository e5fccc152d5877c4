package io.sonde.agent.probe;

import io.prometheus.metrics.model.registry.MultiCollector;

import java.util.List;
import java.util.Map;

/**
 * Probe is one unit of observation the agent runs on its own: it starts (open, configure, load,
 * attach), serves its metrics at scrape time, describes itself for /api/probes, and closes (detach,
 * free). A probe that fails to start leaves the others running.
 *
 * <pre>{@code
 * Probe p = ProbeCatalog.create(List.of("syscalls")).get(0);
 * p.start(context);
 * registry.register(p.metrics());
 * }</pre>
 */
public interface Probe extends AutoCloseable {
    /** The probe's name, as in {@code --probes} and the configuration. */
    String name();

    /** One line on what it observes and from which hooks. */
    String description();

    /** Opens, configures, loads and attaches; throws with the reason when any of it fails. */
    void start(ProbeContext context) throws Exception;

    /** The metrics this probe serves, read from its maps at scrape time. */
    MultiCollector metrics();

    /** The probe's programs, for /api/probes. */
    List<Map<String, Object>> programs();

    /** The probe's maps, for /api/probes. */
    List<Map<String, Object>> maps();

    /** Records the kernel side could not put into its ring buffer, so far. */
    default long eventsLost() {
        return 0;
    }

    /** Counter updates the kernel side could not make because a map was full, so far. */
    default long insertFailures() {
        return 0;
    }

    /** Per attached program, by name: runs the kernel skipped because the program was already running on that CPU. */
    default Map<String, Long> recursionMisses() {
        return Map.of();
    }

    /**
     * Detaches the probe's programs but keeps its maps, so its counts so far stay served and nothing new
     * is counted (the overhead budget's last resort); returns false when the probe cannot.
     */
    default boolean suspend() {
        return false;
    }

    /** Attaches the programs again after {@link #suspend}. */
    default void resume() {}

    /** Detaches every link and frees every map; idempotent. */
    @Override
    void close();
}
