package io.sonde.agent.probe;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * SignalName gives a signal number's name as the C library knows it ({@code sigabbrev_np}): 9 is
 * "SIGKILL". Numbers it does not know read "SIG" and the number.
 *
 * <pre>{@code
 * String reason = SignalName.of(9); // "SIGKILL"
 * }</pre>
 */
public final class SignalName {
    private SignalName() {}

    private static final MethodHandle SIGABBREV = Linker.nativeLinker().defaultLookup().find("sigabbrev_np")
            .map(s -> Linker.nativeLinker().downcallHandle(s, FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT)))
            .orElse(null);

    /** The name of a signal, such as "SIGKILL". */
    public static String of(int signal) {
        if (SIGABBREV != null) {
            try {
                MemorySegment p = (MemorySegment) SIGABBREV.invokeExact(signal);
                if (!p.equals(MemorySegment.NULL)) {
                    return "SIG" + p.reinterpret(32).getString(0);
                }
            } catch (Throwable t) {
                return "SIG" + signal;
            }
        }
        return "SIG" + signal;
    }
}
