package io.sonde.agent.enrich;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * SyscallTable names system calls by number for one architecture, from the kernel's full table: the
 * build generates {@code /syscalls/<arch>.txt} (lines {@code "number name"}) from the kernel headers
 * with {@code build/syscall-table.sh}, so no name is typed by hand. The numbers are those of the
 * native 64-bit ABI, as {@code raw_syscalls:sys_enter} reports them for 64-bit tasks (32-bit compat
 * tasks have their own numbering, which this table does not know).
 *
 * <pre>{@code
 * SyscallTable syscalls = SyscallTable.load();
 * syscalls.name(257);                 // "openat" on x86_64
 * syscalls.number("openat");          // OptionalInt[257]
 * }</pre>
 */
public final class SyscallTable {
    /** The class-path directory of the generated tables. */
    public static final String RESOURCE_DIR = "/syscalls/";
    private static final int MAX_NUMBER = 1 << 16;

    private final String arch;
    private final String[] names;
    private final Map<String, Integer> numbers;
    private final int size;

    private SyscallTable(String arch, String[] names) {
        this.arch = arch;
        this.names = names;
        this.numbers = new HashMap<>();
        int count = 0;
        for (int nr = 0; nr < names.length; nr++) {
            if (names[nr] != null) {
                numbers.putIfAbsent(names[nr], nr);
                count++;
            }
        }
        this.size = count;
    }

    /**
     * Load returns the table of the architecture this JVM runs on. When the jar carries none for it
     * (built on another architecture) the table is empty and names every number {@code syscall_<nr>}.
     */
    public static SyscallTable load() {
        return load(kernelArch(System.getProperty("os.arch")));
    }

    /** Load returns the table of arch, named as {@code uname -m} names it ({@code x86_64}, {@code aarch64}); empty when there is none. */
    public static SyscallTable load(String arch) {
        try (InputStream in = SyscallTable.class.getResourceAsStream(RESOURCE_DIR + arch + ".txt")) {
            if (in == null) {
                return new SyscallTable(arch, new String[0]);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return parse(arch, reader.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the syscall table of " + arch, e);
        }
    }

    /**
     * Parse reads a table in the generated format: {@code "number name"} lines, {@code #} comments.
     *
     * @throws IllegalArgumentException on a line of another form
     */
    public static SyscallTable parse(String arch, List<String> lines) {
        String[] names = new String[0];
        for (String line : lines) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            int nr;
            try {
                nr = f.length == 2 ? Integer.parseInt(f[0]) : -1;
            } catch (NumberFormatException e) {
                nr = -1;
            }
            if (nr < 0 || nr >= MAX_NUMBER) {
                throw new IllegalArgumentException("not a syscall table line: \"" + line + "\"");
            }
            if (nr >= names.length) {
                names = Arrays.copyOf(names, Math.max(nr + 1, names.length * 2));
            }
            names[nr] = f[1];
        }
        return new SyscallTable(arch, names);
    }

    /** The kernel's name of a JVM's os.arch: amd64 is x86_64, arm64 is aarch64, the rest agree. */
    static String kernelArch(String javaArch) {
        return switch (javaArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> javaArch;
        };
    }

    /** Name returns the system call's name ("openat"), or {@code "syscall_<nr>"} for a number the table lacks. */
    public String name(int nr) {
        String name = nr >= 0 && nr < names.length ? names[nr] : null;
        return name != null ? name : "syscall_" + nr;
    }

    /** Number returns the number of the named system call, or empty when this architecture has none of that name. */
    public OptionalInt number(String name) {
        Integer nr = numbers.get(name);
        return nr != null ? OptionalInt.of(nr) : OptionalInt.empty();
    }

    /** How many system calls the table names. */
    public int size() {
        return size;
    }

    /** The architecture, as {@code uname -m} names it. */
    public String arch() {
        return arch;
    }
}
