package io.sonde.agent.enrich;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * CgroupResolver maps a cgroup id, as {@code bpf_get_current_cgroup_id()} returns it, to the cgroup
 * v2 path relative to the cgroup2 mount: {@code "/"} for the root,
 * {@code "/system.slice/docker-<id>.scope"} for a container. The id is the inode number of the
 * cgroup's directory.
 *
 * <p>Resolved ids are kept in a least-recently-used cache of a fixed capacity. On a miss the
 * resolver walks the whole hierarchy and caches every cgroup it finds, but not more often than once
 * per rescan interval, so that a flood of ids it cannot find (cgroups created and removed between
 * two scans) does not walk the tree again and again: within the interval such ids resolve to
 * {@link #UNKNOWN}, and the next miss after it scans again. The capacity should exceed the number of
 * cgroups on the host; when it does not, the cache still answers correctly, with more scans.
 *
 * <p>Cgroup ids are never reused, so a cached path stays true until the cgroup is removed (or,
 * rarely, renamed): {@link #prune()} finds those among the cached ids, and returns the ids of removed
 * cgroups so that the agent deletes the BPF map entries keyed by them; {@link #gone(long)} decides
 * for any id, cached or not. All methods are safe to call from several threads;
 * threads that hit the cache do not wait for a scan.
 *
 * <pre>{@code
 * CgroupResolver cgroups = CgroupResolver.forThisHost();
 * String path = cgroups.path(event.cgroupId());          // "/system.slice/nginx.service" or "<unknown>"
 * for (long gone : cgroups.prune()) {
 *     countersByCgroup.delete(gone);
 * }
 * if (cgroups.gone(keyFromSomeMap)) { ... }             // for ids the cache may never have held
 * }</pre>
 */
public final class CgroupResolver {
    /** The path of an id that names no cgroup the resolver could find: a label value callers can show. */
    public static final String UNKNOWN = "<unknown>";
    /** The default number of ids kept. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** The default least time between two scans of the hierarchy caused by misses. */
    public static final Duration DEFAULT_RESCAN_INTERVAL = Duration.ofMillis(500);

    private final Path mount;
    private final CgroupHandle handles;
    private final LruCache<Long, String> cache;
    private final long rescanIntervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong scans = new AtomicLong();
    private final Object scanLock = new Object();
    private long lastScanNanos; // guarded by scanLock, meaningful once scans > 0
    private long[] lastScanIds = {}; // guarded by scanLock: the ids the last scan found, sorted
    private long fenceId; // guarded by scanLock: ids up to this one were given out before the last scan began

    /** A resolver for the hierarchy mounted at mount, with the default capacity and rescan interval. */
    public CgroupResolver(Path mount) {
        this(mount, DEFAULT_CAPACITY, DEFAULT_RESCAN_INTERVAL);
    }

    /** A resolver for the hierarchy mounted at mount that keeps up to capacity ids. */
    public CgroupResolver(Path mount, int capacity, Duration rescanInterval) {
        this(mount, capacity, rescanInterval, System::nanoTime);
    }

    CgroupResolver(Path mount, int capacity, Duration rescanInterval, LongSupplier nanoClock) {
        if (rescanInterval.isNegative()) {
            throw new IllegalArgumentException("rescan interval must not be negative: " + rescanInterval);
        }
        this.mount = mount;
        this.handles = new CgroupHandle(mount);
        this.cache = new LruCache<>(capacity);
        this.rescanIntervalNanos = rescanInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * ForThisHost returns a resolver over the cgroup v2 mount that {@link Cgroup2Mount#find()} finds.
     *
     * @throws IllegalStateException when cgroup v2 is not mounted
     */
    public static CgroupResolver forThisHost() {
        return new CgroupResolver(Cgroup2Mount.find()
                .orElseThrow(() -> new IllegalStateException("no cgroup2 file system is mounted")));
    }

    /** The mount point of the hierarchy this resolver reads. */
    public Path mount() {
        return mount;
    }

    /**
     * Path returns the cgroup's path relative to the mount, {@code "/"} for the root, or
     * {@link #UNKNOWN} when no cgroup has this id (removed, or created since the last scan and the
     * rescan interval has not passed).
     */
    public String path(long cgroupId) {
        String path = cache.get(cgroupId);
        if (path != null) {
            return path;
        }
        // one system call finds a new cgroup at once; the walk below is the fallback without the capability
        java.util.Optional<String> direct = handles.path(cgroupId);
        if (direct.isPresent()) {
            cache.put(cgroupId, direct.get());
            return direct.get();
        }
        synchronized (scanLock) {
            path = cache.get(cgroupId); // a scan another thread made while we waited may have found it
            if (path == null && (scans.get() == 0 || nanoClock.getAsLong() - lastScanNanos >= rescanIntervalNanos)) {
                path = rescanLocked().cgroups().get(cgroupId);
                if (path != null) {
                    cache.put(cgroupId, path); // the one asked for is the most recently used
                }
            }
        }
        return path != null ? path : UNKNOWN;
    }

    /**
     * Prune forgets the cached cgroups whose directory is gone and returns their ids. A cached path
     * that no longer leads to the same cgroup triggers one scan, which tells a removed cgroup from a
     * renamed one (kept, with its new path).
     */
    public Set<Long> prune() {
        Set<Long> suspects = new LinkedHashSet<>();
        Set<Long> removed = new LinkedHashSet<>();
        for (Map.Entry<Long, String> e : cache.entries()) {
            if (CgroupTree.directoryInode(directory(e.getValue())) != e.getKey()) {
                String direct = handles.lookup(e.getKey());
                if (direct == null) {
                    suspects.add(e.getKey());
                } else if (direct.equals(CgroupHandle.GONE)) {
                    cache.remove(e.getKey());
                    removed.add(e.getKey());
                } else {
                    cache.put(e.getKey(), direct); // renamed
                }
            }
        }
        if (!removed.isEmpty()) {
            Set<Long> all = new LinkedHashSet<>(removed);
            all.addAll(suspects.isEmpty() ? Set.of() : removeMissing(suspects));
            return all;
        }
        return suspects.isEmpty() ? Set.of() : removeMissing(suspects);
    }

    /**
     * Gone tells whether the cgroup of this id has been removed, for deleting the BPF map entries
     * keyed by it; callers pass ids they have seen in use (a map key), and it answers true only when
     * it is sure. A cached cgroup whose directory still has this id costs one stat; other ids are
     * judged by the last scan, and a scan is made when that cannot tell and the rescan interval
     * allows: an id missing from a scan is gone when it is older than that scan, which it is when an
     * earlier scan saw it or a larger id (kernfs hands out cgroup ids in increasing order). A cgroup
     * created and removed between two scans is thus known gone once a scan has seen a newer cgroup.
     */
    public boolean gone(long cgroupId) {
        String cached = cache.get(cgroupId);
        if (cached != null && CgroupTree.directoryInode(directory(cached)) == cgroupId) {
            return false;
        }
        String direct = handles.lookup(cgroupId);
        if (direct != null) {
            if (direct.equals(CgroupHandle.GONE)) {
                cache.remove(cgroupId);
                return true;
            }
            cache.put(cgroupId, direct);
            return false;
        }
        synchronized (scanLock) {
            if (!goneByLastScanLocked(cgroupId)
                    && (scans.get() == 0 || nanoClock.getAsLong() - lastScanNanos >= rescanIntervalNanos)) {
                rescanLocked();
            }
            if (goneByLastScanLocked(cgroupId)) {
                cache.remove(cgroupId);
                return true;
            }
            return false;
        }
    }

    private boolean goneByLastScanLocked(long cgroupId) {
        return cgroupId <= fenceId && Arrays.binarySearch(lastScanIds, cgroupId) < 0;
    }

    private Set<Long> removeMissing(Collection<Long> ids) {
        CgroupTree.Scan scan;
        synchronized (scanLock) {
            scan = rescanLocked();
        }
        if (!scan.complete()) {
            return Set.of(); // what the walk could not read may still exist
        }
        Set<Long> gone = new LinkedHashSet<>();
        for (Long id : ids) {
            if (!scan.cgroups().containsKey(id)) {
                cache.remove(id);
                gone.add(id);
            }
        }
        return gone;
    }

    /** Walks the hierarchy, caches what it finds, keeps the ids of a complete walk for {@link #gone}. */
    private CgroupTree.Scan rescanLocked() {
        CgroupTree.Scan scan = CgroupTree.scan(mount);
        for (Map.Entry<Long, String> e : scan.cgroups().entrySet()) {
            cache.put(e.getKey(), e.getValue());
        }
        if (scan.complete()) {
            // every id up to the largest that an earlier walk saw was given out before this one began
            if (lastScanIds.length > 0) {
                fenceId = Math.max(fenceId, lastScanIds[lastScanIds.length - 1]);
            }
            lastScanIds = scan.cgroups().keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        }
        lastScanNanos = nanoClock.getAsLong();
        scans.incrementAndGet();
        return scan;
    }

    private Path directory(String path) {
        return path.equals("/") ? mount : mount.resolve(path.substring(1));
    }

    /** How many times the resolver has walked the hierarchy: for a self-monitoring counter. */
    public long scans() {
        return scans.get();
    }

    /** How many ids are cached now. */
    public int size() {
        return cache.size();
    }
}
