package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Btf is the running kernel's type information ({@code /sys/kernel/btf/vmlinux}, parsed by libbpf),
 * for names the kernel defines and a program only knows by number: the values of an enum, such as
 * {@code enum skb_drop_reason}, read at run time rather than copied into the code. Close it to free
 * the parsed types.
 *
 * <pre>{@code
 * try (Btf btf = Btf.vmlinux()) {
 *     Map<Long, String> reasons = btf.enumValues("skb_drop_reason");  // 2 -> "SKB_DROP_REASON_NOT_SPECIFIED", ...
 * }
 * }</pre>
 */
public final class Btf implements AutoCloseable {
    private static final int BTF_KIND_ENUM = 6;
    private static final int BTF_KIND_FUNC = 12;
    private static final int BTF_KIND_ENUM64 = 19;
    private static final int TYPE_HEADER = 12;

    private MemorySegment btf;

    private Btf(MemorySegment btf) {
        this.btf = btf;
    }

    /** Loads the running kernel's BTF; throws BpfException with errno when the kernel has none. */
    public static Btf vmlinux() {
        if (LibBpf.UNAVAILABLE != null) {
            throw new BpfException("btf_load_vmlinux", LibBpf.UNAVAILABLE);
        }
        MemorySegment capture = Native.capture();
        MemorySegment btf = LibBpf.btfLoadVmlinux(capture);
        if (btf.equals(MemorySegment.NULL)) {
            throw new BpfException("btf_load_vmlinux", Native.errno(capture), null, null,
                    "cannot load the kernel's BTF from " + Kernel.VMLINUX_BTF, null);
        }
        return new Btf(btf);
    }

    /**
     * The values of the named enum (32- or 64-bit) and their names, in declaration order; an empty
     * map when the kernel has no such enum. Where two names share a value, the first declared wins.
     */
    public synchronized Map<Long, String> enumValues(String enumName) {
        if (btf == null) {
            throw new IllegalStateException("BTF closed");
        }
        int id;
        boolean wide = false;
        try (Arena a = Arena.ofConfined()) {
            id = LibBpf.btfFindByNameKind(btf, a.allocateFrom(enumName), BTF_KIND_ENUM);
            if (id <= 0) {
                id = LibBpf.btfFindByNameKind(btf, a.allocateFrom(enumName), BTF_KIND_ENUM64);
                wide = true;
            }
        }
        if (id <= 0) {
            return Map.of();
        }
        int info = LibBpf.btfTypeById(btf, id).reinterpret(TYPE_HEADER).get(ValueLayout.JAVA_INT, 4);
        int vlen = info & 0xffff;
        boolean signed = (info >>> 31) != 0;
        // struct btf_enum { u32 name_off; s32 val; }, struct btf_enum64 { u32 name_off; u32 lo32; u32 hi32; }
        int member = wide ? 12 : 8;
        MemorySegment type = LibBpf.btfTypeById(btf, id).reinterpret(TYPE_HEADER + (long) member * vlen);
        Map<Long, String> out = new LinkedHashMap<>();
        for (int i = 0; i < vlen; i++) {
            long base = TYPE_HEADER + (long) member * i;
            String name = Native.string(LibBpf.btfNameByOffset(btf, type.get(ValueLayout.JAVA_INT, base)));
            long value;
            if (wide) {
                value = Integer.toUnsignedLong(type.get(ValueLayout.JAVA_INT, base + 4))
                        | ((long) type.get(ValueLayout.JAVA_INT, base + 8) << 32);
            } else {
                int v = type.get(ValueLayout.JAVA_INT, base + 4);
                value = signed ? v : Integer.toUnsignedLong(v);
            }
            out.putIfAbsent(value, name);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Whether the kernel defines a function of this name (BTF kind FUNC): where a program may call a
     * kfunc, such as {@code bpf_rdonly_cast}, only on kernels that have it.
     */
    public synchronized boolean hasFunction(String name) {
        if (btf == null) {
            throw new IllegalStateException("BTF closed");
        }
        try (Arena a = Arena.ofConfined()) {
            return LibBpf.btfFindByNameKind(btf, a.allocateFrom(name), BTF_KIND_FUNC) > 0;
        }
    }

    /** Frees the parsed types; idempotent. */
    @Override
    public synchronized void close() {
        if (btf != null) {
            LibBpf.btfFree(btf);
            btf = null;
        }
    }
}
