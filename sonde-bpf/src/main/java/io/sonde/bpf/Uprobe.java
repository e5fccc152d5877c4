package io.sonde.bpf;

/**
 * Uprobe says where a uprobe or uretprobe goes: a binary (a path, or a library name such as
 * {@code libc.so.6} that libbpf resolves), a symbol or an offset into the file, and optionally one
 * process.
 *
 * <pre>{@code
 * Link l = program.attachUprobe(Uprobe.symbol("libc.so.6", "malloc").pid(1234));
 * Link r = other.attachUprobe(Uprobe.symbol("/usr/bin/bash", "readline").returning());
 * }</pre>
 *
 * @param binary the executable or shared library
 * @param symbol the function name, or null to use {@code offset} alone
 * @param offset the file offset (added to the symbol's when both are given)
 * @param pid the process to trace, or -1 for every process
 * @param retprobe true for a uretprobe (fires when the function returns)
 */
public record Uprobe(String binary, String symbol, long offset, int pid, boolean retprobe) {
    public Uprobe {
        if (binary == null || binary.isEmpty()) {
            throw new IllegalArgumentException("uprobe needs a binary");
        }
        if (symbol == null && offset <= 0) {
            throw new IllegalArgumentException("uprobe on " + binary + " needs a symbol or an offset");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("uprobe offset must not be negative: " + offset);
        }
    }

    /** A uprobe at the entry of a function, in every process. */
    public static Uprobe symbol(String binary, String symbol) {
        return new Uprobe(binary, symbol, 0, -1, false);
    }

    /** A uprobe at a file offset, in every process. */
    public static Uprobe offset(String binary, long offset) {
        return new Uprobe(binary, null, offset, -1, false);
    }

    /** The same probe restricted to one process. */
    public Uprobe pid(int processId) {
        return new Uprobe(binary, symbol, offset, processId, retprobe);
    }

    /** The same probe as a uretprobe. */
    public Uprobe returning() {
        return new Uprobe(binary, symbol, offset, pid, true);
    }
}
