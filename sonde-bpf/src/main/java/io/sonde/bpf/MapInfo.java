package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * MapInfo is the kernel's record of a map ({@code struct bpf_map_info}).
 *
 * <pre>{@code
 * MapInfo info = map.info();
 * System.out.println(info.name() + " uses " + info.memlockBytes() + " bytes");
 * }</pre>
 *
 * @param id the kernel's map id
 * @param name the name the kernel knows (at most 15 characters)
 * @param type the map type
 * @param keySize bytes per key
 * @param valueSize bytes per value (per CPU for per-CPU maps)
 * @param maxEntries capacity (bytes for a ring buffer)
 * @param flags creation flags
 * @param memlockBytes memory the kernel charges for the map
 */
public record MapInfo(int id, String name, MapType type, int keySize, int valueSize, int maxEntries, int flags,
        long memlockBytes) {

    private static final int INFO_SIZE = 88;

    /** Reads the information of the map behind a file descriptor. */
    public static MapInfo of(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(INFO_SIZE, 8);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, INFO_SIZE);
            int err = LibBpf.objGetInfo(fd, info, len);
            if (err < 0) {
                throw new BpfException("map_info", -err, null, null, "fd " + fd, null);
            }
            return new MapInfo(info.get(ValueLayout.JAVA_INT, 4), ProgramInfo.cstring(info, 24, 16),
                    MapType.of(info.get(ValueLayout.JAVA_INT, 0)), info.get(ValueLayout.JAVA_INT, 8),
                    info.get(ValueLayout.JAVA_INT, 12), info.get(ValueLayout.JAVA_INT, 16),
                    info.get(ValueLayout.JAVA_INT, 20), Kernel.memlock(fd));
        }
    }
}
