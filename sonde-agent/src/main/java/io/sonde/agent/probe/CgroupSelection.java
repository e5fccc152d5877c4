package io.sonde.agent.probe;

import io.sonde.agent.enrich.ContainerIdentity;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * CgroupSelection decides which cgroups the cgroups probe reads: it walks the cgroup v2 hierarchy
 * breadth first and keeps every container's cgroup (the outermost cgroup whose path names the
 * container, as {@link ContainerIdentity#parse} reads it, so that a container's own
 * {@code init.scope} is not counted twice while a container nested in another is kept) and every
 * cgroup an include pattern matches.
 *
 * <p>The walk is bounded: it visits at most {@code maxCgroups} directories and counts those it
 * left out ({@link Walk#skipped()}, a lower bound: what lies below a skipped cgroup is unknown). A
 * walk is reused for {@code ttlNanos}, so that scrapes in quick succession list the hierarchy once.
 *
 * <p>Include patterns are matched against the whole path: {@code *} matches within one segment,
 * {@code **} across segments, {@code ?} one character other than {@code /}; a pattern without
 * these is an exact path.
 *
 * <pre>{@code
 * CgroupSelection s = new CgroupSelection(mount, List.of("/system.slice/*.service"), 10_000, 5_000_000_000L, System::nanoTime);
 * for (String cgroup : s.current().selected()) { ... }
 * }</pre>
 */
final class CgroupSelection {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /**
     * One walk's outcome.
     *
     * @param selected the selected cgroups' paths, relative to the mount, in walk order
     * @param skipped cgroups the walk did not visit because it reached its cap
     */
    record Walk(List<String> selected, int skipped) {}

    private final Path mount;
    private final List<Pattern> include;
    private final int maxCgroups;
    private final long ttlNanos;
    private final LongSupplier clock;
    private Walk last; // guarded by this
    private long lastNanos; // guarded by this

    CgroupSelection(Path mount, List<String> include, int maxCgroups, long ttlNanos, LongSupplier clock) {
        this.mount = mount;
        this.include = include.stream().map(CgroupSelection::glob).toList();
        this.maxCgroups = maxCgroups;
        this.ttlNanos = ttlNanos;
        this.clock = clock;
    }

    /** The last walk, walking again first when it is older than the time to live. */
    synchronized Walk current() {
        long now = clock.getAsLong();
        if (last == null || now - lastNanos >= ttlNanos) {
            last = walk();
            lastNanos = now;
        }
        return last;
    }

    /** Walks the hierarchy now. */
    Walk walk() {
        List<String> selected = new ArrayList<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        queue.add("/");
        int visited = 0;
        int skipped = 0;
        while (!queue.isEmpty()) {
            String path = queue.poll();
            visited++;
            if (selects(path)) {
                selected.add(path);
            }
            Path dir = path.equals("/") ? mount : mount.resolve(path.substring(1));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    if (!Files.isDirectory(entry, NOFOLLOW)) {
                        continue;
                    }
                    if (visited + queue.size() >= maxCgroups) {
                        skipped++;
                    } else {
                        queue.add((path.equals("/") ? "" : path) + "/" + entry.getFileName());
                    }
                }
            } catch (IOException | DirectoryIteratorException e) {
                // removed while we walked, or unreadable: nothing below it to select
            }
        }
        return new Walk(List.copyOf(selected), skipped);
    }

    /** Whether the cgroup at this path is read: a container's outermost cgroup, or one an include pattern matches. */
    boolean selects(String path) {
        for (Pattern p : include) {
            if (p.matcher(path).matches()) {
                return true;
            }
        }
        Optional<ContainerIdentity> container = ContainerIdentity.parse(path);
        if (container.isEmpty()) {
            return false;
        }
        int slash = path.lastIndexOf('/');
        String parent = slash <= 0 ? "/" : path.substring(0, slash);
        return !ContainerIdentity.parse(parent).map(ContainerIdentity::id).equals(Optional.of(container.get().id()));
    }

    /** The regular expression of an include pattern. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
