package io.sonde.agent.enrich;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * ProcessResolver maps a pid to its command name and executable, read from {@code /proc} and kept in
 * a least-recently-used cache of a fixed capacity. Entries expire after a time to live, because the
 * kernel reuses pids and exec changes both names; the agent also calls {@link #forget(int)} when it
 * sees a process exit or exec. A pid that has no process is not cached. Safe to call from several
 * threads; the reads of {@code /proc} happen outside the cache's lock.
 *
 * <pre>{@code
 * ProcessResolver processes = new ProcessResolver();
 * String comm = processes.lookup(pid).map(ProcessInfo::comm).orElse("");
 * processes.forget(exitedPid);
 * }</pre>
 */
public final class ProcessResolver {
    /** The default number of processes kept. */
    public static final int DEFAULT_CAPACITY = 8192;
    /** The default time an entry is trusted. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    private record Entry(ProcessInfo info, long loadedNanos) {}

    private final Path proc;
    private final LruCache<Integer, Entry> cache;
    private final long ttlNanos;
    private final LongSupplier nanoClock;

    /** A resolver over this host's {@code /proc} with the default capacity and time to live. */
    public ProcessResolver() {
        this(Path.of("/proc"), DEFAULT_CAPACITY, DEFAULT_TTL);
    }

    /** A resolver over the proc file system mounted at proc (the host's, seen from a container: {@code /host/proc}). */
    public ProcessResolver(Path proc, int capacity, Duration ttl) {
        this(proc, capacity, ttl, System::nanoTime);
    }

    ProcessResolver(Path proc, int capacity, Duration ttl, LongSupplier nanoClock) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("time to live must not be negative: " + ttl);
        }
        this.proc = proc;
        this.cache = new LruCache<>(capacity);
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Lookup returns what {@code /proc/<pid>} says, from the cache while it is fresh, or empty when no such process exists. */
    public Optional<ProcessInfo> lookup(int pid) {
        long now = nanoClock.getAsLong();
        Entry cached = cache.get(pid);
        if (cached != null && now - cached.loadedNanos() < ttlNanos) {
            return Optional.of(cached.info());
        }
        Optional<ProcessInfo> info = read(pid);
        if (info.isPresent()) {
            cache.put(pid, new Entry(info.get(), now));
        } else if (cached != null) {
            cache.remove(pid, cached);
        }
        return info;
    }

    /** Forget drops what is cached for pid: the process exited or called exec. */
    public void forget(int pid) {
        cache.remove(pid);
    }

    /** How many processes are cached now. */
    public int size() {
        return cache.size();
    }

    private Optional<ProcessInfo> read(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        Path dir = proc.resolve(Integer.toString(pid));
        String comm;
        try {
            // bytes, not readString: a name set by prctl need not be UTF-8
            comm = new String(Files.readAllBytes(dir.resolve("comm")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (comm.endsWith("\n")) {
            comm = comm.substring(0, comm.length() - 1);
        }
        String exe;
        try {
            exe = Files.readSymbolicLink(dir.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            exe = ""; // a kernel thread has none; another user's process needs CAP_SYS_PTRACE
        }
        return Optional.of(new ProcessInfo(pid, comm, exe));
    }
}
