package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * ProgramInfo is the kernel's record of a loaded program ({@code struct bpf_prog_info}), read at one
 * moment. Run count and run time grow only while run-time statistics are on (see
 * {@link Kernel#enableStats()}).
 *
 * <pre>{@code
 * ProgramInfo info = program.info();
 * double nsPerRun = info.runCount() == 0 ? 0 : (double) info.runTimeNs() / info.runCount();
 * }</pre>
 *
 * @param id the kernel's program id
 * @param name the name the kernel knows (at most 15 characters)
 * @param type the program type
 * @param tag the program's tag (a hash of its instructions), in hex
 * @param runCount runs counted while statistics were on
 * @param runTimeNs nanoseconds spent in those runs
 * @param recursionMisses runs skipped because the program was already running on that CPU
 * @param jitedSize bytes of JIT-compiled machine code
 * @param xlatedSize bytes of verified BPF instructions
 * @param verifiedInstructions instructions the verifier processed
 * @param memlockBytes memory the kernel charges for the program
 */
public record ProgramInfo(int id, String name, ProgramType type, String tag, long runCount, long runTimeNs,
        long recursionMisses, int jitedSize, int xlatedSize, int verifiedInstructions, long memlockBytes) {

    private static final int INFO_SIZE = 232;

    /** Reads the information of the program behind a file descriptor. */
    public static ProgramInfo of(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = read(fd, a);
            byte[] tag = info.asSlice(8, 8).toArray(ValueLayout.JAVA_BYTE);
            return new ProgramInfo(info.get(ValueLayout.JAVA_INT, 4), cstring(info, 64, 16),
                    ProgramType.of(info.get(ValueLayout.JAVA_INT, 0)), HexFormat.of().formatHex(tag),
                    info.get(ValueLayout.JAVA_LONG, 200), info.get(ValueLayout.JAVA_LONG, 192),
                    info.get(ValueLayout.JAVA_LONG, 208), info.get(ValueLayout.JAVA_INT, 16),
                    info.get(ValueLayout.JAVA_INT, 20), info.get(ValueLayout.JAVA_INT, 216), Kernel.memlock(fd));
        }
    }

    /**
     * Only the runs the kernel skipped as recursion ({@code recursion_misses}) of the program behind a
     * file descriptor: one system call, without the rest of {@link #of(int)} (whose memlock figure reads
     * /proc). The kernel counts these whether run-time statistics are on or not.
     */
    public static long recursionMisses(int fd) {
        try (Arena a = Arena.ofConfined()) {
            return read(fd, a).get(ValueLayout.JAVA_LONG, 208);
        }
    }

    /** The kernel's struct bpf_prog_info of a program, in memory of {@code a}. */
    private static MemorySegment read(int fd, Arena a) {
        MemorySegment info = a.allocate(INFO_SIZE, 8);
        MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
        len.set(ValueLayout.JAVA_INT, 0, INFO_SIZE);
        int err = LibBpf.objGetInfo(fd, info, len);
        if (err < 0) {
            throw new BpfException("prog_info", -err, null, null, "fd " + fd, null);
        }
        return info;
    }

    static String cstring(MemorySegment s, long offset, int max) {
        byte[] b = s.asSlice(offset, max).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
