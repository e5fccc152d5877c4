package io.sonde.bpf.internal;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Native is the shared plumbing of the foreign-function binding: the linker, the library lookups,
 * the errno capture layout and small string helpers. Not part of the public API.
 */
public final class Native {
    private Native() {}

    public static final Linker LINKER = Linker.nativeLinker();
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    /** A pointer whose target is readable up to Long.MAX_VALUE bytes (C strings, opaque handles). */
    public static final AddressLayout C_POINTER =
            ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));

    public static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    public static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Reads errno from a capture segment filled by a call made with {@link #CAPTURE_ERRNO}. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Allocates a capture segment for one thread's call. */
    public static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE_LAYOUT));

    /** A per-thread errno capture segment, reused across calls (never freed: one per thread). */
    public static MemorySegment capture() {
        return CAPTURE.get();
    }

    /** Finds a symbol and binds it, or returns null when the library lacks it. */
    public static MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor fd, Linker.Option... options) {
        if (lookup == null) {
            return null;
        }
        Optional<MemorySegment> symbol = lookup.find(name);
        return symbol.map(s -> LINKER.downcallHandle(s, fd, options)).orElse(null);
    }

    /** Reads a NUL-terminated UTF-8 string, or null for a NULL pointer. */
    public static String string(MemorySegment pointer) {
        if (pointer == null || pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }

    /** Allocates a NUL-terminated copy of a Java string, or returns NULL for null. */
    public static MemorySegment cString(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s, StandardCharsets.UTF_8);
    }

    /** Rethrows anything a method handle threw as an unchecked error: native calls throw nothing else. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
