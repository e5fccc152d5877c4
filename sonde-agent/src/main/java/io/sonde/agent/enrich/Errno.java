package io.sonde.agent.enrich;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * Errno names error numbers as the C library does ({@code 2} is {@code "ENOENT"}), for the label of a
 * failed system call. The names come from glibc's {@code strerrorname_np} (glibc 2.32 and later),
 * called once per number through the foreign function API; the kernel-internal codes that
 * {@code raw_syscalls:sys_exit} can show but no C library names ({@code ERESTARTSYS} when a signal
 * interrupts a call) come from the kernel's {@code include/linux/errno.h}, as strace names them.
 *
 * <pre>{@code
 * long ret = event.ret();
 * String error = ret < 0 ? Errno.name((int) -ret) : "";   // "EAGAIN"
 * }</pre>
 */
public final class Errno {
    /** The largest error number a system call can return (the kernel's MAX_ERRNO). */
    public static final int MAX = 4095;

    private static final Map<Integer, String> KERNEL_INTERNAL = Map.ofEntries(
            Map.entry(512, "ERESTARTSYS"), Map.entry(513, "ERESTARTNOINTR"), Map.entry(514, "ERESTARTNOHAND"),
            Map.entry(515, "ENOIOCTLCMD"), Map.entry(516, "ERESTART_RESTARTBLOCK"), Map.entry(517, "EPROBE_DEFER"),
            Map.entry(518, "EOPENSTALE"), Map.entry(519, "ENOPARAM"), Map.entry(521, "EBADHANDLE"),
            Map.entry(522, "ENOTSYNC"), Map.entry(523, "EBADCOOKIE"), Map.entry(524, "ENOTSUPP"),
            Map.entry(525, "ETOOSMALL"), Map.entry(526, "ESERVERFAULT"), Map.entry(527, "EBADTYPE"),
            Map.entry(528, "EJUKEBOX"), Map.entry(529, "EIOCBQUEUED"), Map.entry(530, "ERECALLCONDITIONAL"));

    private static final String[] NAMES = names();

    private Errno() {}

    /**
     * Name returns the symbolic name of an error number, or {@code "errno_<n>"} when it has none. A
     * negative number is read as a system call's return value: {@code name(-2)} is {@code "ENOENT"}.
     */
    public static String name(int errno) {
        int n = errno < 0 && errno != Integer.MIN_VALUE ? -errno : errno;
        String name = n >= 0 && n <= MAX ? NAMES[n] : null;
        return name != null ? name : "errno_" + n;
    }

    private static String[] names() {
        String[] names = new String[MAX + 1];
        MethodHandle strerrorname = Linker.nativeLinker().defaultLookup().find("strerrorname_np")
                .map(f -> Linker.nativeLinker().downcallHandle(f,
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                .orElse(null);
        for (int n = 1; n <= MAX; n++) {
            names[n] = KERNEL_INTERNAL.getOrDefault(n, strerrorname != null ? cName(strerrorname, n) : null);
        }
        return names;
    }

    private static String cName(MethodHandle strerrorname, int n) {
        try {
            MemorySegment s = (MemorySegment) strerrorname.invokeExact(n);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("strerrorname_np(" + n + ") failed", t);
        }
    }
}
