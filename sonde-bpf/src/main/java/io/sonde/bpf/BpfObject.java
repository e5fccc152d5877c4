package io.sonde.bpf;

import io.sonde.bpf.internal.ElfCheck;
import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.LibbpfLog;
import io.sonde.bpf.internal.Native;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BpfObject is a compiled BPF ELF object ({@code .bpf.o}) opened through libbpf: its programs, its
 * maps and its global variables. The lifecycle is open, configure, load, attach, close.
 *
 * <pre>{@code
 * try (BpfObject obj = BpfObject.openResource("/bpf/counter.bpf.o")) {
 *     obj.setGlobal("target_pid", ProcessHandle.current().pid());  // const volatile, before load
 *     obj.map("counts").resize(1024);
 *     obj.program("unused").setAutoload(false);
 *     obj.load();
 *     try (Link link = obj.program("count_getppid").attach()) {
 *         ...
 *         long n = obj.map("counts").lookupLong(0);
 *     }
 * }
 * }</pre>
 *
 * Closing the object detaches nothing by itself: close the links first (or let them hold the
 * programs alive, as the kernel does). {@code close()} is idempotent.
 */
public final class BpfObject implements AutoCloseable {
    private static final int LOG_BUF_SIZE = 1 << 20;
    private static final int LOG_TAIL = 16 * 1024;

    private final String name;
    private final Arena arena = Arena.ofShared();
    private MemorySegment obj;
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Globals globals;
    private boolean loaded;

    private BpfObject(String name, MemorySegment obj) {
        this.name = name;
        this.obj = obj;
        for (MemorySegment p = LibBpf.objectNextProgram(obj, MemorySegment.NULL); !p.equals(MemorySegment.NULL);
                p = LibBpf.objectNextProgram(obj, p)) {
            Program program = new Program(this, p);
            programs.put(program.name(), program);
        }
        for (MemorySegment m = LibBpf.objectNextMap(obj, MemorySegment.NULL); !m.equals(MemorySegment.NULL);
                m = LibBpf.objectNextMap(obj, m)) {
            BpfMap map = new BpfMap(this, m);
            maps.put(map.name(), map);
        }
        this.globals = new Globals(this);
    }

    /** Opens an object file. Throws BpfException naming the file when it is missing or not a valid BPF ELF. */
    public static BpfObject open(Path path) {
        requireLibbpf();
        if (!Files.isRegularFile(path)) {
            throw new BpfException("open", 2, path.toString(), null, "no such object file " + path, null);
        }
        try {
            return openBytes(path.getFileName().toString().replaceFirst("\\.o$", "").replaceFirst("\\.bpf$", ""),
                    Files.readAllBytes(path));
        } catch (IOException e) {
            throw new BpfException("open", "cannot read " + path + ": " + e.getMessage());
        }
    }

    /** Opens an object from a classpath resource, such as {@code /bpf/syscalls.bpf.o}. */
    public static BpfObject openResource(String resource) {
        return openResource(BpfObject.class, resource);
    }

    /** Opens an object from a classpath resource found through the given class's loader. */
    public static BpfObject openResource(Class<?> anchor, String resource) {
        requireLibbpf();
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("open", 2, resource, null, "no such classpath resource " + resource, null);
            }
            String base = resource.substring(resource.lastIndexOf('/') + 1);
            return openBytes(base.replaceFirst("\\.o$", "").replaceFirst("\\.bpf$", ""), in.readAllBytes());
        } catch (IOException e) {
            throw new BpfException("open", "cannot read resource " + resource + ": " + e.getMessage());
        }
    }

    /**
     * Opens an object from its ELF bytes under the given name. A truncated or corrupt ELF gives a
     * BpfException (libbpf checks the ELF before anything reaches the kernel).
     */
    public static BpfObject openBytes(String name, byte[] elf) {
        requireLibbpf();
        LibbpfLog.install();
        String problem = ElfCheck.problem(elf);
        if (problem != null) {
            throw new BpfException("open", 8, name, null, problem, null); // ENOEXEC
        }
        try (Arena tmp = Arena.ofConfined()) {
            // libbpf keeps the buffer only during open (it copies what it needs), so a confined copy is enough
            MemorySegment buf = tmp.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buf, ValueLayout.JAVA_BYTE, 0, elf.length);
            // struct bpf_object_open_opts { size_t sz; const char *object_name; ... }
            MemorySegment opts = tmp.allocate(16, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, 16);
            opts.set(ValueLayout.ADDRESS, 8, tmp.allocateFrom(name));
            MemorySegment capture = Native.capture();
            List<String> warnings = LibbpfLog.capture();
            MemorySegment obj;
            try {
                obj = LibBpf.openMem(capture, buf, elf.length, opts);
            } finally {
                LibbpfLog.endCapture();
            }
            if (obj.equals(MemorySegment.NULL)) {
                throw new BpfException("open", Native.errno(capture), name, null,
                        "libbpf could not open the object" + warningText(warnings), null);
            }
            return new BpfObject(name, obj);
        }
    }

    private static void requireLibbpf() {
        if (LibBpf.UNAVAILABLE != null) {
            throw new BpfException("open", LibBpf.UNAVAILABLE);
        }
    }

    static String warningText(List<String> warnings) {
        if (warnings.isEmpty()) {
            return "";
        }
        return ": " + String.join(" | ", warnings.subList(Math.max(0, warnings.size() - 8), warnings.size()));
    }

    /** The object's name (the file name without {@code .bpf.o}, or the name given to openBytes). */
    public String name() {
        return name;
    }

    /** The program with this function name. Throws BpfException listing the programs when there is none. */
    public Program program(String programName) {
        Program p = programs.get(programName);
        if (p == null) {
            throw new BpfException("program", 0, name, programName,
                    "no such program; the object has " + programs.keySet(), null);
        }
        return p;
    }

    /** All programs, in ELF order. */
    public List<Program> programs() {
        return List.copyOf(programs.values());
    }

    /** The map with this name. Throws BpfException listing the maps when there is none. */
    public BpfMap map(String mapName) {
        BpfMap m = maps.get(mapName);
        if (m == null) {
            throw new BpfException("map", 0, name, null,
                    "no such map " + mapName + "; the object has " + maps.keySet(), null);
        }
        return m;
    }

    /** The names of all maps. */
    public java.util.Set<String> mapNames() {
        return java.util.Collections.unmodifiableSet(maps.keySet());
    }

    /** All maps, including the internal ones that hold global variables (.rodata, .data, .bss). */
    public List<BpfMap> maps() {
        return List.copyOf(maps.values());
    }

    /** The names of the global variables the object declares, in section order. */
    public List<String> globalNames() {
        return globals.names();
    }

    /**
     * Sets a global variable by name from raw bytes. Before load this works for {@code const volatile}
     * (.rodata), .data and .bss variables; after load only for .data and .bss, which the kernel maps
     * writable. The byte count must equal the variable's size.
     */
    public void setGlobal(String variable, byte[] value) {
        globals.set(variable, value, loaded);
    }

    /** Sets a 1, 2, 4 or 8-byte integer global (the width is the variable's own). */
    public void setGlobal(String variable, long value) {
        globals.setInteger(variable, value, loaded);
    }

    /** Sets a boolean global (a C {@code bool}, one byte). */
    public void setGlobal(String variable, boolean value) {
        globals.setInteger(variable, value ? 1 : 0, loaded);
    }

    /** Reads an integer global variable (before load: its initial value; after: the live one for .data/.bss). */
    public long global(String variable) {
        return globals.getInteger(variable);
    }

    /**
     * Loads every program with autoload on and creates every map. When the verifier rejects a program,
     * throws BpfException with the program's name, errno and the tail of the verifier's log.
     */
    public void load() {
        ensureOpen();
        if (loaded) {
            throw new BpfException("load", 0, name, null, "already loaded", null);
        }
        try (Arena logs = Arena.ofConfined()) {
            Map<Program, MemorySegment> logBuffers = new LinkedHashMap<>();
            for (Program p : programs.values()) {
                if (p.autoload()) {
                    MemorySegment buf = logs.allocate(LOG_BUF_SIZE);
                    LibBpf.programSetLogBuf(p.handle(), buf, LOG_BUF_SIZE);
                    logBuffers.put(p, buf);
                }
            }
            List<String> warnings = LibbpfLog.capture();
            int err;
            try {
                err = LibBpf.objectLoad(obj);
            } finally {
                LibbpfLog.endCapture();
                for (Program p : logBuffers.keySet()) {
                    LibBpf.programSetLogBuf(p.handle(), MemorySegment.NULL, 0);
                }
            }
            if (err < 0) {
                String failed = null;
                String log = null;
                for (Map.Entry<Program, MemorySegment> e : logBuffers.entrySet()) {
                    String text = e.getValue().getString(0);
                    if (!text.isEmpty()) {
                        failed = e.getKey().name();
                        log = tail(text);
                        break;
                    }
                }
                if (failed == null) {
                    failed = programNamedIn(warnings);
                }
                throw new BpfException("load", -err, name, failed, "the kernel refused the object"
                        + warningText(warnings), log);
            }
            for (String w : warnings) {
                System.getLogger("io.sonde.bpf.libbpf").log(System.Logger.Level.WARNING, "libbpf: " + w);
            }
        }
        loaded = true;
        for (BpfMap m : maps.values()) {
            m.afterLoad();
        }
    }

    private String programNamedIn(List<String> warnings) {
        for (int i = warnings.size() - 1; i >= 0; i--) {
            String w = warnings.get(i);
            int start = w.indexOf("prog '");
            if (start >= 0) {
                int end = w.indexOf('\'', start + 6);
                if (end > start) {
                    return w.substring(start + 6, end);
                }
            }
        }
        return null;
    }

    private static String tail(String log) {
        if (log.length() <= LOG_TAIL) {
            return log;
        }
        String cut = log.substring(log.length() - LOG_TAIL);
        int nl = cut.indexOf('\n');
        return "...\n" + (nl >= 0 ? cut.substring(nl + 1) : cut);
    }

    /** Whether {@link #load()} has succeeded. */
    public boolean loaded() {
        return loaded;
    }

    MemorySegment handle() {
        ensureOpen();
        return obj;
    }

    Arena arena() {
        return arena;
    }

    void ensureOpen() {
        if (obj == null) {
            throw new BpfException("use", 0, name, null, "the object is closed", null);
        }
    }

    void ensureLoaded(String operation) {
        ensureOpen();
        if (!loaded) {
            throw new BpfException(operation, 0, name, null, "the object is not loaded yet; call load() first", null);
        }
    }

    void ensureNotLoaded(String operation) {
        ensureOpen();
        if (loaded) {
            throw new BpfException(operation, 0, name, null, "only possible before load()", null);
        }
    }

    /** Frees the object: its programs and maps go away once no link or pin holds them. Idempotent. */
    @Override
    public synchronized void close() {
        if (obj == null) {
            return;
        }
        for (BpfMap m : maps.values()) {
            m.beforeClose();
        }
        LibBpf.objectClose(obj);
        obj = null;
        arena.close();
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + ", programs=" + programs.keySet() + ", maps=" + Collections.unmodifiableSet(
                maps.keySet()) + (loaded ? ", loaded" : "") + "]";
    }

    /** Lists the programs of the object for messages. */
    List<String> programNames() {
        return new ArrayList<>(programs.keySet());
    }
}
