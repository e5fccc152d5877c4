package io.sonde.bpf.internal;

import static io.sonde.bpf.internal.Native.C_INT;
import static io.sonde.bpf.internal.Native.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * LibbpfLog routes libbpf's own messages to the {@code io.sonde.bpf.libbpf} System.Logger instead of
 * stderr. Warnings are logged at WARNING, info at INFO, debug at DEBUG and only when verbose. While a
 * thread is inside {@link #capture()}, its warnings are also kept so that an exception can quote them.
 */
public final class LibbpfLog {
    private LibbpfLog() {}

    private static final System.Logger LOG = System.getLogger("io.sonde.bpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    private static final int BUFFER = 64 * 1024;
    private static volatile boolean verbose;
    private static volatile boolean installed;
    private static final ThreadLocal<MemorySegment> BUF = ThreadLocal.withInitial(() -> Arena.global().allocate(BUFFER));
    private static final ThreadLocal<List<String>> CAPTURED = new ThreadLocal<>();

    /** Installs the callback once; cheap to call again. */
    public static void install() {
        if (installed || LibBpf.UNAVAILABLE != null) {
            return;
        }
        synchronized (LibbpfLog.class) {
            if (installed) {
                return;
            }
            try {
                MemorySegment stub = Native.LINKER.upcallStub(
                        MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                                MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class)),
                        FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER), Arena.global());
                LibBpf.setPrint(stub);
                installed = true;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Switches libbpf's debug messages on or off. */
    public static void setVerbose(boolean on) {
        verbose = on;
    }

    /** Starts keeping this thread's libbpf warnings; returns the list that fills. */
    public static List<String> capture() {
        List<String> list = new ArrayList<>();
        CAPTURED.set(list);
        return list;
    }

    /** Stops keeping this thread's warnings. */
    public static void endCapture() {
        CAPTURED.remove();
    }

    @SuppressWarnings("unused") // called from native code
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            if (level > LIBBPF_INFO && !verbose) {
                return 0;
            }
            List<String> captured = CAPTURED.get();
            boolean wanted = captured != null && level == LIBBPF_WARN;
            System.Logger.Level jul = level == LIBBPF_WARN ? System.Logger.Level.WARNING
                    : level == LIBBPF_INFO ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
            if (!wanted && !LOG.isLoggable(jul)) {
                return 0;
            }
            MemorySegment buf = BUF.get();
            int n = LibC.vsnprintf(buf, BUFFER, format, args);
            if (n < 0) {
                return 0;
            }
            String line = buf.getString(0, StandardCharsets.UTF_8).stripTrailing();
            if (wanted) {
                captured.add(line);
            } else {
                LOG.log(jul, "libbpf: " + line);
            }
        } catch (Throwable t) {
            // an exception must never unwind into native code
        }
        return 0;
    }
}
