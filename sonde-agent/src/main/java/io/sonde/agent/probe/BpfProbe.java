package io.sonde.agent.probe;

import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;
import io.sonde.bpf.MapInfo;
import io.sonde.bpf.Program;
import io.sonde.bpf.ProgramInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * BpfProbe is the lifecycle every BPF-backed probe shares: open its object from the jar, let the
 * probe set load-time values, load, attach each program, and on close detach and free. Subclasses
 * name their object and attachments and read their maps.
 *
 * <p>The loaded state is one {@link Loaded} value so that a later reload can build a new one (reusing
 * the old maps, attaching the new programs) before closing the old one.
 *
 * <pre>{@code
 * final class FilesProbe extends BpfProbe {
 *     FilesProbe() { super("files", "/bpf/files.bpf.o"); }
 *     protected List<Attachment> attachments() { return List.of(Attachment.of("handle_exit", Program::attach)); }
 * }
 * }</pre>
 */
public abstract class BpfProbe implements Probe {
    /** One program to attach, and how. */
    public record Attachment(String program, Function<Program, Link> how) {
        public static Attachment of(String program, Function<Program, Link> how) {
            return new Attachment(program, how);
        }
    }

    /** An object with its links. */
    protected record Loaded(BpfObject object, List<Link> links) implements AutoCloseable {
        @Override
        public void close() {
            links.forEach(Link::close);
            object.close();
        }
    }

    private final String name;
    private final String resource;
    protected ProbeContext context;
    private volatile Loaded loaded;
    /** Programs switched on by {@link #setAttached}, and the links of those attached now (none while suspended). */
    private final java.util.Set<String> wantedOptional = new java.util.LinkedHashSet<>();
    private final Map<String, Link> optionalLinks = new LinkedHashMap<>();
    private boolean suspended;

    protected BpfProbe(String name, String resource) {
        this.name = name;
        this.resource = resource;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Sets load-time values (globals, map sizes, autoload) on the freshly opened object. */
    protected void configure(BpfObject object) {}

    /** The programs to attach, in order. */
    protected abstract List<Attachment> attachments();

    /** Called once the probe runs, to start consumers (ring buffers) if it has any. */
    protected void started(BpfObject object) {}

    @Override
    public void start(ProbeContext ctx) {
        this.context = ctx;
        BpfObject object = BpfObject.openResource(BpfProbe.class, resource);
        List<Link> links;
        try {
            configure(object);
            object.load();
            links = attachAll(object);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
        loaded = new Loaded(object, links);
        started(object);
    }

    private List<Link> attachAll(BpfObject object) {
        List<Link> links = new ArrayList<>();
        try {
            for (Attachment a : attachments()) {
                links.add(a.how().apply(object.program(a.program())));
            }
        } catch (RuntimeException e) {
            links.forEach(Link::close);
            throw e;
        }
        return List.copyOf(links);
    }

    /** Closes the links and keeps the object: the maps (and what they counted) stay. */
    @Override
    public synchronized boolean suspend() {
        Loaded l = loaded;
        if (l == null) {
            return false;
        }
        l.links().forEach(Link::close);
        optionalLinks.values().forEach(Link::close);
        optionalLinks.clear();
        suspended = true;
        loaded = new Loaded(l.object(), List.of());
        return true;
    }

    /** Attaches the programs of the kept object again. */
    @Override
    public synchronized void resume() {
        Loaded l = loaded;
        if (l == null || !suspended) {
            return;
        }
        loaded = new Loaded(l.object(), attachAll(l.object()));
        suspended = false;
        for (String program : wantedOptional) {
            optionalLinks.put(program, l.object().program(program).attach());
        }
    }

    /** The running object, or null before start and after close. */
    protected BpfObject object() {
        Loaded l = loaded;
        return l == null ? null : l.object();
    }

    /** A map of the running object, or null when the probe is not running. */
    protected BpfMap map(String mapName) {
        BpfObject o = object();
        return o == null ? null : o.map(mapName);
    }

    /** The probe's attachments now: those made at start, then the optional ones attached. */
    private List<Link> links() {
        Loaded l = loaded;
        if (l == null) {
            return List.of();
        }
        List<Link> links = new ArrayList<>(l.links());
        synchronized (this) {
            links.addAll(optionalLinks.values());
        }
        return links;
    }

    @Override
    public List<Map<String, Object>> programs() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Link link : links()) {
            Map<String, Object> p = new LinkedHashMap<>();
            Program program = link.program();
            p.put("name", program.name());
            p.put("section", program.section());
            p.put("attached", link.description());
            try {
                ProgramInfo info = program.info();
                p.put("id", info.id());
                p.put("type", info.type().name().toLowerCase());
                p.put("jited_bytes", info.jitedSize());
                p.put("recursion_misses", info.recursionMisses());
                p.put("memlock_bytes", info.memlockBytes());
            } catch (RuntimeException e) {
                p.put("error", e.getMessage());
            }
            out.add(p);
        }
        return out;
    }

    @Override
    public Map<String, Long> recursionMisses() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Link link : links()) {
            try {
                out.merge(link.program().name(), link.program().recursionMisses(), Long::sum);
            } catch (RuntimeException e) {
                // closed meanwhile (the probe stopping): nothing to report for it
            }
        }
        return out;
    }

    @Override
    public List<Map<String, Object>> maps() {
        List<Map<String, Object>> out = new ArrayList<>();
        BpfObject o = object();
        if (o == null) {
            return out;
        }
        for (BpfMap m : o.maps()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", m.name());
            entry.put("type", m.type().name().toLowerCase());
            entry.put("max_entries", m.maxEntries());
            try {
                MapInfo info = m.info();
                entry.put("id", info.id());
                entry.put("memlock_bytes", info.memlockBytes());
            } catch (RuntimeException e) {
                entry.put("error", e.getMessage());
            }
            out.add(entry);
        }
        return out;
    }

    /** Ring-buffer reservations that failed, from the probe's {@code events_lost} per-CPU array if it has one. */
    @Override
    public long eventsLost() {
        BpfObject o = object();
        if (o == null || !o.mapNames().contains("events_lost")) {
            return 0;
        }
        return o.map("events_lost").sumLong(0);
    }

    @Override
    public long insertFailures() {
        BpfObject o = object();
        if (o == null || !o.mapNames().contains("insert_failures")) {
            return 0;
        }
        return o.map("insert_failures").sumLong(0);
    }

    /** Receives one map entry whose key starts with a cgroup id, with the cgroup's labels. */
    protected interface CgroupEntry {
        void accept(String cgroup, String container, java.nio.ByteBuffer key, byte[] value);
    }

    /**
     * Reads every entry of a map whose key starts with a cgroup id (u64), hands the live ones to the
     * handler with their cgroup path and container, and deletes the entries of removed cgroups.
     */
    protected void forEachCgroupEntry(BpfMap map, CgroupEntry handler) {
        Attribution a = context.attribution();
        for (BpfMap.Entry e : map.entries()) {
            java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(e.key()).order(java.nio.ByteOrder.nativeOrder());
            long id = key.getLong(0);
            if (a.cgroupGone(id)) {
                map.delete(e.key());
                continue;
            }
            String cgroup = a.cgroupPath(id);
            handler.accept(cgroup, a.container(cgroup), key, e.value());
        }
    }

    /**
     * Attaches a loaded program that is not among {@link #attachments()} (on) or detaches it (off), while
     * the probe runs: run-time switches such as event streams that cost nothing while off. Idempotent.
     */
    protected synchronized void setAttached(String program, boolean on) {
        BpfObject o = object();
        if (o == null) {
            return;
        }
        if (on) {
            wantedOptional.add(program);
            if (!suspended && !optionalLinks.containsKey(program)) {
                optionalLinks.put(program, o.program(program).attach());
            }
        } else {
            wantedOptional.remove(program);
            Link link = optionalLinks.remove(program);
            if (link != null) {
                link.close();
            }
        }
    }

    /** Whether a program is switched on by {@link #setAttached} (attached unless the probe is suspended). */
    protected synchronized boolean isAttached(String program) {
        return wantedOptional.contains(program);
    }

    /** Stops consumers the probe started; called before the object closes. */
    protected void stopping() {}

    @Override
    public synchronized void close() {
        Loaded l = loaded;
        if (l == null) {
            return;
        }
        stopping();
        optionalLinks.values().forEach(Link::close);
        optionalLinks.clear();
        wantedOptional.clear();
        loaded = null;
        l.close();
    }
}
