package io.sonde.agent.enrich;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.probe.Attribution;

import java.time.Duration;
import java.util.Optional;

/**
 * HostAttribution attributes kernel identities on this host: cgroup ids to cgroup v2 paths through
 * the {@link CgroupResolver}, and paths to container ids by the runtimes' naming conventions
 * ({@link ContainerIdentity}). Answers for a path are memoised in a bounded cache; "is this cgroup
 * gone" answers for one second, so that one scrape asks the file system once per cgroup.
 *
 * <pre>{@code
 * Attribution a = HostAttribution.create(config);
 * String cgroup = a.cgroupPath(id);
 * }</pre>
 */
public final class HostAttribution implements Attribution {
    private static final long GONE_TTL_NANOS = Duration.ofSeconds(1).toNanos();

    private final CgroupResolver cgroups;
    private final LruCache<String, String> containers;
    private final LruCache<Long, long[]> goneAnswers;

    public HostAttribution(CgroupResolver cgroups, int capacity) {
        this.cgroups = cgroups;
        this.containers = new LruCache<>(capacity);
        this.goneAnswers = new LruCache<>(capacity);
    }

    /** The attribution for this host, sized from the configuration. */
    public static HostAttribution create(AgentConfig config) {
        int capacity = config.enrichment().cgroupCacheSize();
        Optional<java.nio.file.Path> mount = Cgroup2Mount.find();
        if (mount.isEmpty()) {
            throw new IllegalStateException("no cgroup2 file system in /proc/self/mountinfo: cgroup attribution "
                    + "needs cgroup v2 (mounted, for example, at /sys/fs/cgroup)");
        }
        return new HostAttribution(new CgroupResolver(mount.get(), capacity, CgroupResolver.DEFAULT_RESCAN_INTERVAL),
                capacity);
    }

    /** The resolver underneath. */
    public CgroupResolver cgroups() {
        return cgroups;
    }

    @Override
    public String cgroupPath(long cgroupId) {
        return cgroups.path(cgroupId);
    }

    @Override
    public String container(String cgroupPath) {
        String cached = containers.get(cgroupPath);
        if (cached != null) {
            return cached;
        }
        String id = ContainerIdentity.parse(cgroupPath).map(ContainerIdentity::id).orElse("");
        containers.put(cgroupPath, id);
        return id;
    }

    @Override
    public boolean cgroupGone(long cgroupId) {
        long now = System.nanoTime();
        long[] answer = goneAnswers.get(cgroupId);
        if (answer != null && now - answer[0] < GONE_TTL_NANOS) {
            return answer[1] != 0;
        }
        boolean gone = cgroups.gone(cgroupId);
        goneAnswers.put(cgroupId, new long[] {now, gone ? 1 : 0});
        return gone;
    }
}
