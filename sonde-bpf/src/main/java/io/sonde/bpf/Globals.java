package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Globals finds an object's global variables from its BTF (the DATASEC of each internal map) and
 * reads and writes them in the memory libbpf keeps for .rodata, .data and .bss.
 */
final class Globals {
    private static final int BTF_KIND_DATASEC = 15;

    private record Variable(String name, BpfMap map, String section, long offset, int size) {
        boolean readOnlyAfterLoad() {
            return section.startsWith(".rodata") || section.startsWith(".kconfig");
        }
    }

    private final BpfObject object;
    private final Map<String, Variable> variables = new LinkedHashMap<>();

    Globals(BpfObject object) {
        this.object = object;
        MemorySegment btf = LibBpf.objectBtf(object.handle());
        if (btf.equals(MemorySegment.NULL)) {
            return;
        }
        for (BpfMap map : object.maps()) {
            if (!map.internal()) {
                continue;
            }
            String section = map.name().contains(".") ? map.name().substring(map.name().indexOf('.')) : map.name();
            int typeId = LibBpf.mapBtfValueTypeId(map.handle());
            if (typeId <= 0) {
                try (Arena a = Arena.ofConfined()) {
                    typeId = LibBpf.btfFindByNameKind(btf, a.allocateFrom(section), BTF_KIND_DATASEC);
                }
            }
            if (typeId <= 0) {
                continue;
            }
            MemorySegment type = LibBpf.btfTypeById(btf, typeId).reinterpret(12);
            int info = type.get(ValueLayout.JAVA_INT, 4);
            if (((info >>> 24) & 0x1f) != BTF_KIND_DATASEC) {
                continue;
            }
            int vlen = info & 0xffff;
            MemorySegment secinfo = LibBpf.btfTypeById(btf, typeId).reinterpret(12 + 12L * vlen);
            for (int i = 0; i < vlen; i++) {
                long base = 12 + 12L * i;
                int varType = secinfo.get(ValueLayout.JAVA_INT, base);
                int offset = secinfo.get(ValueLayout.JAVA_INT, base + 4);
                int size = secinfo.get(ValueLayout.JAVA_INT, base + 8);
                MemorySegment var = LibBpf.btfTypeById(btf, varType).reinterpret(12);
                String name = Native.string(LibBpf.btfNameByOffset(btf, var.get(ValueLayout.JAVA_INT, 0)));
                if (name != null && !name.isEmpty()) {
                    variables.put(name, new Variable(name, map, section, offset, size));
                }
            }
        }
    }

    List<String> names() {
        return new ArrayList<>(variables.keySet());
    }

    private Variable variable(String name) {
        Variable v = variables.get(name);
        if (v == null) {
            throw new BpfException("set_global", 0, object.name(), null,
                    "no global variable " + name + "; the object has " + variables.keySet(), null);
        }
        return v;
    }

    private MemorySegment memory(Variable v, boolean write, boolean loaded) {
        if (write && loaded && v.readOnlyAfterLoad()) {
            throw new BpfException("set_global", 0, object.name(), null, "variable " + v.name() + " is in "
                    + v.section() + ", which is frozen at load: set it before load()", null);
        }
        if (loaded && !v.readOnlyAfterLoad()) {
            // libbpf's copy is private after load; the kernel's memory is mapped separately
            return v.map().sharedMemory().asSlice(v.offset(), v.size());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sizeOut = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment data = LibBpf.mapInitialValue(v.map().handle(), sizeOut);
            long size = sizeOut.get(ValueLayout.JAVA_LONG, 0);
            if (data.equals(MemorySegment.NULL) || v.offset() + v.size() > size) {
                throw new BpfException("set_global", 0, object.name(), null,
                        "no memory for variable " + v.name() + " in " + v.section(), null);
            }
            return data.reinterpret(size).asSlice(v.offset(), v.size());
        }
    }

    void set(String name, byte[] value, boolean loaded) {
        Variable v = variable(name);
        if (value.length != v.size()) {
            throw new BpfException("set_global", 0, object.name(), null, "variable " + name + " is " + v.size()
                    + " bytes, the value given is " + value.length + " bytes", null);
        }
        MemorySegment.copy(value, 0, memory(v, true, loaded), ValueLayout.JAVA_BYTE, 0, value.length);
    }

    void setInteger(String name, long value, boolean loaded) {
        Variable v = variable(name);
        MemorySegment m = memory(v, true, loaded);
        switch (v.size()) {
            case 1 -> m.set(ValueLayout.JAVA_BYTE, 0, (byte) value);
            case 2 -> m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) value);
            case 4 -> m.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) value);
            case 8 -> m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
            default -> throw new BpfException("set_global", 0, object.name(), null,
                    "variable " + name + " is " + v.size() + " bytes, not an integer; use setGlobal(name, byte[])",
                    null);
        }
    }

    long getInteger(String name) {
        Variable v = variable(name);
        MemorySegment m = memory(v, false, object.loaded());
        return switch (v.size()) {
            case 1 -> m.get(ValueLayout.JAVA_BYTE, 0);
            case 2 -> m.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
            case 4 -> m.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            case 8 -> m.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            default -> throw new BpfException("get_global", 0, object.name(), null,
                    "variable " + name + " is " + v.size() + " bytes, not an integer", null);
        };
    }
}
