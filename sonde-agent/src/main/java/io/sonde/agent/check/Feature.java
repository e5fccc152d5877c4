package io.sonde.agent.check;

import io.sonde.bpf.BpfException;

/**
 * Feature is one line of the check: something the kernel or host offers (a program type, a map type,
 * a mounted file system) and whether it works here, with what was tried or why it failed.
 *
 * <pre>{@code
 * Feature ok = Feature.yes("tracepoint", "loaded, attached to syscalls/sys_enter_getpid");
 * Feature no = Feature.failed("kprobe", "loaded; attach failed", exception);
 * }</pre>
 *
 * @param name a short stable key, such as {@code raw_tracepoint} or {@code percpu_hash}
 * @param supported whether it works here
 * @param detail what was done, or the reason it did not work
 * @param errno the symbolic errno of the failure (such as {@code EINVAL}), or null
 */
public record Feature(String name, boolean supported, String detail, String errno) {
    /** A feature that works. */
    public static Feature yes(String name, String detail) {
        return new Feature(name, true, detail, null);
    }

    /** A feature that does not work, for a reason found without a failed system call. */
    public static Feature no(String name, String detail) {
        return new Feature(name, false, detail, null);
    }

    /** A feature that does not work because a step failed; the detail says which step and why. */
    public static Feature failed(String name, String step, BpfException e) {
        return failed(name, step, e, null);
    }

    /** The same, with a hint that explains the failure better than the exception's own text. */
    static Feature failed(String name, String step, BpfException e, String hint) {
        return new Feature(name, false, step + ": " + FailureReason.of(e, hint), FailureReason.errnoName(e));
    }
}
