package io.sonde.bpf.internal;

import static io.sonde.bpf.internal.Native.CAPTURE_ERRNO;
import static io.sonde.bpf.internal.Native.C_BOOL;
import static io.sonde.bpf.internal.Native.C_INT;
import static io.sonde.bpf.internal.Native.C_LONG;
import static io.sonde.bpf.internal.Native.C_POINTER;
import static io.sonde.bpf.internal.Native.bind;
import static io.sonde.bpf.internal.Native.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * LibBpf holds the downcall handles into libbpf 1.x ({@code libbpf.so.1}). Each wrapper calls its
 * handle with invokeExact. Functions that return an int return a negative errno on failure (libbpf
 * 1.x semantics); functions that return a pointer return NULL and set errno, which the wrappers
 * capture into the caller's capture segment.
 */
public final class LibBpf {
    private LibBpf() {}

    private static final SymbolLookup LIB;
    /** Why libbpf could not be loaded, or null when it was. */
    public static final String UNAVAILABLE;

    static {
        SymbolLookup lookup = null;
        String reason = null;
        for (String name : new String[] {"libbpf.so.1", "libbpf.so"}) {
            try {
                lookup = SymbolLookup.libraryLookup(name, Arena.global());
                reason = null;
                break;
            } catch (IllegalArgumentException e) {
                reason = "libbpf 1.x (libbpf.so.1) is not installed: apt-get install libbpf1";
            }
        }
        LIB = lookup;
        UNAVAILABLE = reason;
    }

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return bind(LIB, name, fd);
    }

    private static MethodHandle e(String name, FunctionDescriptor fd) {
        return bind(LIB, name, fd, CAPTURE_ERRNO);
    }

    private static final FunctionDescriptor P_P = FunctionDescriptor.of(C_POINTER, C_POINTER);
    private static final FunctionDescriptor I_P = FunctionDescriptor.of(C_INT, C_POINTER);
    private static final FunctionDescriptor P_PP = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER);

    // objects
    private static final MethodHandle OPEN_FILE = e("bpf_object__open_file", P_PP);
    private static final MethodHandle OPEN_MEM =
            e("bpf_object__open_mem", FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_POINTER));
    private static final MethodHandle OBJ_LOAD = h("bpf_object__load", I_P);
    private static final MethodHandle OBJ_CLOSE = h("bpf_object__close", FunctionDescriptor.ofVoid(C_POINTER));
    private static final MethodHandle OBJ_NAME = h("bpf_object__name", P_P);
    private static final MethodHandle OBJ_NEXT_PROGRAM = h("bpf_object__next_program", P_PP);
    private static final MethodHandle OBJ_NEXT_MAP = h("bpf_object__next_map", P_PP);
    private static final MethodHandle OBJ_BTF = h("bpf_object__btf", P_P);

    // programs
    private static final MethodHandle PROG_NAME = h("bpf_program__name", P_P);
    private static final MethodHandle PROG_SECTION = h("bpf_program__section_name", P_P);
    private static final MethodHandle PROG_TYPE = h("bpf_program__type", I_P);
    private static final MethodHandle PROG_FD = h("bpf_program__fd", I_P);
    private static final MethodHandle PROG_SET_AUTOLOAD =
            h("bpf_program__set_autoload", FunctionDescriptor.of(C_INT, C_POINTER, C_BOOL));
    private static final MethodHandle PROG_AUTOLOAD = h("bpf_program__autoload", FunctionDescriptor.of(C_BOOL, C_POINTER));
    private static final MethodHandle PROG_SET_LOG_BUF =
            h("bpf_program__set_log_buf", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle PROG_SET_ATTACH_TARGET =
            h("bpf_program__set_attach_target", FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle PROG_EXPECTED_ATTACH_TYPE = h("bpf_program__expected_attach_type", I_P);

    // attach
    private static final MethodHandle ATTACH = e("bpf_program__attach", P_P);
    private static final MethodHandle ATTACH_TRACEPOINT =
            e("bpf_program__attach_tracepoint", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle ATTACH_RAW_TRACEPOINT = e("bpf_program__attach_raw_tracepoint", P_PP);
    private static final MethodHandle ATTACH_TRACE = e("bpf_program__attach_trace", P_P);
    private static final MethodHandle ATTACH_UPROBE_OPTS = e("bpf_program__attach_uprobe_opts",
            FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT, C_POINTER, C_LONG, C_POINTER));
    private static final MethodHandle ATTACH_PERF_EVENT =
            e("bpf_program__attach_perf_event", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle ATTACH_CGROUP =
            e("bpf_program__attach_cgroup", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle ATTACH_XDP =
            e("bpf_program__attach_xdp", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));

    // links
    private static final MethodHandle LINK_FD = h("bpf_link__fd", I_P);
    private static final MethodHandle LINK_DESTROY = h("bpf_link__destroy", I_P);
    private static final MethodHandle LINK_PIN = h("bpf_link__pin", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle LINK_UNPIN = h("bpf_link__unpin", I_P);
    private static final MethodHandle LINK_UPDATE_PROGRAM =
            h("bpf_link__update_program", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle LINK_CREATE =
            h("bpf_link_create", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle LINK_UPDATE =
            h("bpf_link_update", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle PROG_TEST_RUN =
            h("bpf_prog_test_run_opts", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle OBJ_PIN = h("bpf_obj_pin", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle OBJ_GET = h("bpf_obj_get", FunctionDescriptor.of(C_INT, C_POINTER));

    // maps (object side)
    private static final MethodHandle MAP_NAME = h("bpf_map__name", P_P);
    private static final MethodHandle MAP_TYPE = h("bpf_map__type", I_P);
    private static final MethodHandle MAP_KEY_SIZE = h("bpf_map__key_size", I_P);
    private static final MethodHandle MAP_VALUE_SIZE = h("bpf_map__value_size", I_P);
    private static final MethodHandle MAP_MAX_ENTRIES = h("bpf_map__max_entries", I_P);
    private static final MethodHandle MAP_SET_MAX_ENTRIES =
            h("bpf_map__set_max_entries", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle MAP_FD = h("bpf_map__fd", I_P);
    private static final MethodHandle MAP_REUSE_FD = h("bpf_map__reuse_fd", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle MAP_IS_INTERNAL = h("bpf_map__is_internal", FunctionDescriptor.of(C_BOOL, C_POINTER));
    private static final MethodHandle MAP_BTF_VALUE_TYPE_ID = h("bpf_map__btf_value_type_id", I_P);
    private static final MethodHandle MAP_INITIAL_VALUE = h("bpf_map__initial_value", P_PP);

    // maps (fd side)
    private static final MethodHandle MAP_CREATE = h("bpf_map_create",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle MAP_LOOKUP =
            h("bpf_map_lookup_elem_flags", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle MAP_UPDATE =
            h("bpf_map_update_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle MAP_DELETE = h("bpf_map_delete_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle MAP_NEXT_KEY =
            h("bpf_map_get_next_key", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle MAP_LOOKUP_AND_DELETE =
            h("bpf_map_lookup_and_delete_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));
    private static final FunctionDescriptor BATCH =
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
    private static final MethodHandle MAP_LOOKUP_BATCH = h("bpf_map_lookup_batch", BATCH);
    private static final MethodHandle MAP_LOOKUP_AND_DELETE_BATCH = h("bpf_map_lookup_and_delete_batch", BATCH);
    private static final MethodHandle MAP_UPDATE_BATCH = h("bpf_map_update_batch",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle OBJ_GET_INFO =
            h("bpf_obj_get_info_by_fd", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle ENABLE_STATS = h("bpf_enable_stats", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle PROG_GET_FD_BY_ID = h("bpf_prog_get_fd_by_id", FunctionDescriptor.of(C_INT, C_INT));

    // BTF
    private static final MethodHandle BTF_FIND_BY_NAME_KIND =
            h("btf__find_by_name_kind", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle BTF_TYPE_BY_ID = h("btf__type_by_id", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle BTF_NAME_BY_OFFSET =
            h("btf__name_by_offset", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle BTF_LOAD_VMLINUX = e("btf__load_vmlinux_btf", FunctionDescriptor.of(C_POINTER));
    private static final MethodHandle BTF_FREE = h("btf__free", FunctionDescriptor.ofVoid(C_POINTER));
    private static final MethodHandle BTF_TYPE_CNT = h("btf__type_cnt", I_P);

    // probes and misc
    private static final MethodHandle PROBE_PROG_TYPE =
            h("libbpf_probe_bpf_prog_type", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle PROBE_MAP_TYPE =
            h("libbpf_probe_bpf_map_type", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle PROBE_HELPER =
            h("libbpf_probe_bpf_helper", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle SET_PRINT = h("libbpf_set_print", P_P);
    private static final MethodHandle NUM_POSSIBLE_CPUS = h("libbpf_num_possible_cpus", FunctionDescriptor.of(C_INT));
    private static final MethodHandle MAJOR_VERSION = h("libbpf_major_version", FunctionDescriptor.of(C_INT));
    private static final MethodHandle MINOR_VERSION = h("libbpf_minor_version", FunctionDescriptor.of(C_INT));

    // ---- objects ----

    public static MemorySegment openFile(MemorySegment capture, MemorySegment path, MemorySegment opts) {
        try {
            return (MemorySegment) OPEN_FILE.invokeExact(capture, path, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment openMem(MemorySegment capture, MemorySegment buf, long size, MemorySegment opts) {
        try {
            return (MemorySegment) OPEN_MEM.invokeExact(capture, buf, size, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int objectLoad(MemorySegment obj) {
        try {
            return (int) OBJ_LOAD.invokeExact(obj);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void objectClose(MemorySegment obj) {
        try {
            OBJ_CLOSE.invokeExact(obj);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment objectName(MemorySegment obj) {
        return callP(OBJ_NAME, obj);
    }

    public static MemorySegment objectNextProgram(MemorySegment obj, MemorySegment prev) {
        return callPP(OBJ_NEXT_PROGRAM, obj, prev);
    }

    public static MemorySegment objectNextMap(MemorySegment obj, MemorySegment prev) {
        return callPP(OBJ_NEXT_MAP, obj, prev);
    }

    public static MemorySegment objectBtf(MemorySegment obj) {
        return callP(OBJ_BTF, obj);
    }

    // ---- programs ----

    public static MemorySegment programName(MemorySegment prog) {
        return callP(PROG_NAME, prog);
    }

    public static MemorySegment programSection(MemorySegment prog) {
        return callP(PROG_SECTION, prog);
    }

    public static int programType(MemorySegment prog) {
        return callI(PROG_TYPE, prog);
    }

    public static int programFd(MemorySegment prog) {
        return callI(PROG_FD, prog);
    }

    public static int programExpectedAttachType(MemorySegment prog) {
        return callI(PROG_EXPECTED_ATTACH_TYPE, prog);
    }

    public static int programSetAutoload(MemorySegment prog, boolean autoload) {
        try {
            return (int) PROG_SET_AUTOLOAD.invokeExact(prog, autoload);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static boolean programAutoload(MemorySegment prog) {
        try {
            return (boolean) PROG_AUTOLOAD.invokeExact(prog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int programSetLogBuf(MemorySegment prog, MemorySegment buf, long size) {
        try {
            return (int) PROG_SET_LOG_BUF.invokeExact(prog, buf, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int programSetAttachTarget(MemorySegment prog, int targetFd, MemorySegment name) {
        try {
            return (int) PROG_SET_ATTACH_TARGET.invokeExact(prog, targetFd, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- attach (NULL and errno on failure) ----

    public static MemorySegment attach(MemorySegment capture, MemorySegment prog) {
        try {
            return (MemorySegment) ATTACH.invokeExact(capture, prog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachTracepoint(MemorySegment capture, MemorySegment prog, MemorySegment category,
            MemorySegment name) {
        try {
            return (MemorySegment) ATTACH_TRACEPOINT.invokeExact(capture, prog, category, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachRawTracepoint(MemorySegment capture, MemorySegment prog, MemorySegment name) {
        try {
            return (MemorySegment) ATTACH_RAW_TRACEPOINT.invokeExact(capture, prog, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachTrace(MemorySegment capture, MemorySegment prog) {
        try {
            return (MemorySegment) ATTACH_TRACE.invokeExact(capture, prog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachUprobe(MemorySegment capture, MemorySegment prog, int pid, MemorySegment binary,
            long offset, MemorySegment opts) {
        try {
            return (MemorySegment) ATTACH_UPROBE_OPTS.invokeExact(capture, prog, pid, binary, offset, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachPerfEvent(MemorySegment capture, MemorySegment prog, int pfd) {
        try {
            return (MemorySegment) ATTACH_PERF_EVENT.invokeExact(capture, prog, pfd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachCgroup(MemorySegment capture, MemorySegment prog, int cgroupFd) {
        try {
            return (MemorySegment) ATTACH_CGROUP.invokeExact(capture, prog, cgroupFd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachXdp(MemorySegment capture, MemorySegment prog, int ifindex) {
        try {
            return (MemorySegment) ATTACH_XDP.invokeExact(capture, prog, ifindex);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- links ----

    public static int linkFd(MemorySegment link) {
        return callI(LINK_FD, link);
    }

    public static int linkDestroy(MemorySegment link) {
        return callI(LINK_DESTROY, link);
    }

    public static int linkPin(MemorySegment link, MemorySegment path) {
        try {
            return (int) LINK_PIN.invokeExact(link, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int linkUnpin(MemorySegment link) {
        return callI(LINK_UNPIN, link);
    }

    public static int linkUpdateProgram(MemorySegment link, MemorySegment prog) {
        try {
            return (int) LINK_UPDATE_PROGRAM.invokeExact(link, prog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int linkCreate(int progFd, int targetFd, int attachType, MemorySegment opts) {
        try {
            return (int) LINK_CREATE.invokeExact(progFd, targetFd, attachType, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int progTestRun(int progFd, MemorySegment opts) {
        try {
            return (int) PROG_TEST_RUN.invokeExact(progFd, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int linkUpdate(int linkFd, int newProgFd, MemorySegment opts) {
        try {
            return (int) LINK_UPDATE.invokeExact(linkFd, newProgFd, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int objPin(int fd, MemorySegment path) {
        try {
            return (int) OBJ_PIN.invokeExact(fd, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int objGet(MemorySegment path) {
        try {
            return (int) OBJ_GET.invokeExact(path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- maps, object side ----

    public static MemorySegment mapName(MemorySegment map) {
        return callP(MAP_NAME, map);
    }

    public static int mapType(MemorySegment map) {
        return callI(MAP_TYPE, map);
    }

    public static int mapKeySize(MemorySegment map) {
        return callI(MAP_KEY_SIZE, map);
    }

    public static int mapValueSize(MemorySegment map) {
        return callI(MAP_VALUE_SIZE, map);
    }

    public static int mapMaxEntries(MemorySegment map) {
        return callI(MAP_MAX_ENTRIES, map);
    }

    public static int mapSetMaxEntries(MemorySegment map, int max) {
        try {
            return (int) MAP_SET_MAX_ENTRIES.invokeExact(map, max);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapFd(MemorySegment map) {
        return callI(MAP_FD, map);
    }

    public static int mapReuseFd(MemorySegment map, int fd) {
        try {
            return (int) MAP_REUSE_FD.invokeExact(map, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static boolean mapIsInternal(MemorySegment map) {
        try {
            return (boolean) MAP_IS_INTERNAL.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapBtfValueTypeId(MemorySegment map) {
        return callI(MAP_BTF_VALUE_TYPE_ID, map);
    }

    public static MemorySegment mapInitialValue(MemorySegment map, MemorySegment sizeOut) {
        return callPP(MAP_INITIAL_VALUE, map, sizeOut);
    }

    // ---- maps, fd side (negative errno on failure) ----

    public static int mapCreate(int type, MemorySegment name, int keySize, int valueSize, int maxEntries,
            MemorySegment opts) {
        try {
            return (int) MAP_CREATE.invokeExact(type, name, keySize, valueSize, maxEntries, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapLookup(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) MAP_LOOKUP.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapUpdate(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) MAP_UPDATE.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapDelete(int fd, MemorySegment key) {
        try {
            return (int) MAP_DELETE.invokeExact(fd, key);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapNextKey(int fd, MemorySegment key, MemorySegment next) {
        try {
            return (int) MAP_NEXT_KEY.invokeExact(fd, key, next);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapLookupAndDelete(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) MAP_LOOKUP_AND_DELETE.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapLookupBatch(boolean delete, int fd, MemorySegment inBatch, MemorySegment outBatch,
            MemorySegment keys, MemorySegment values, MemorySegment count, MemorySegment opts) {
        try {
            MethodHandle mh = delete ? MAP_LOOKUP_AND_DELETE_BATCH : MAP_LOOKUP_BATCH;
            return (int) mh.invokeExact(fd, inBatch, outBatch, keys, values, count, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mapUpdateBatch(int fd, MemorySegment keys, MemorySegment values, MemorySegment count,
            MemorySegment opts) {
        try {
            return (int) MAP_UPDATE_BATCH.invokeExact(fd, keys, values, count, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int objGetInfo(int fd, MemorySegment info, MemorySegment len) {
        try {
            return (int) OBJ_GET_INFO.invokeExact(fd, info, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int enableStats(int type) {
        try {
            return (int) ENABLE_STATS.invokeExact(type);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int progGetFdById(int id) {
        try {
            return (int) PROG_GET_FD_BY_ID.invokeExact(id);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- BTF ----

    public static int btfFindByNameKind(MemorySegment btf, MemorySegment name, int kind) {
        try {
            return (int) BTF_FIND_BY_NAME_KIND.invokeExact(btf, name, kind);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment btfTypeById(MemorySegment btf, int id) {
        try {
            return (MemorySegment) BTF_TYPE_BY_ID.invokeExact(btf, id);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment btfNameByOffset(MemorySegment btf, int offset) {
        try {
            return (MemorySegment) BTF_NAME_BY_OFFSET.invokeExact(btf, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment btfLoadVmlinux(MemorySegment capture) {
        try {
            return (MemorySegment) BTF_LOAD_VMLINUX.invokeExact(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void btfFree(MemorySegment btf) {
        try {
            BTF_FREE.invokeExact(btf);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int btfTypeCount(MemorySegment btf) {
        return callI(BTF_TYPE_CNT, btf);
    }

    // ---- probes and misc ----

    public static int probeProgramType(int type) {
        try {
            return (int) PROBE_PROG_TYPE.invokeExact(type, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int probeMapType(int type) {
        try {
            return (int) PROBE_MAP_TYPE.invokeExact(type, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int probeHelper(int progType, int helper) {
        try {
            return (int) PROBE_HELPER.invokeExact(progType, helper, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment setPrint(MemorySegment fn) {
        return callP(SET_PRINT, fn);
    }

    public static int numPossibleCpus() {
        try {
            return (int) NUM_POSSIBLE_CPUS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static String version() {
        try {
            return (int) MAJOR_VERSION.invokeExact() + "." + (int) MINOR_VERSION.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment callP(MethodHandle mh, MemorySegment a) {
        try {
            return (MemorySegment) mh.invokeExact(a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment callPP(MethodHandle mh, MemorySegment a, MemorySegment b) {
        try {
            return (MemorySegment) mh.invokeExact(a, b);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int callI(MethodHandle mh, MemorySegment a) {
        try {
            return (int) mh.invokeExact(a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
