package io.sonde.bpf;

import io.sonde.bpf.internal.LibC;

/**
 * BpfException is thrown when the kernel or libbpf refuses an operation. It carries the errno (as a
 * number and as its symbolic name), the operation that failed, the object and program involved and,
 * when the verifier rejected a program, the tail of the verifier's log.
 *
 * <pre>{@code
 * try {
 *     object.load();
 * } catch (BpfException e) {
 *     if (e.errnoName().equals("EACCES")) {
 *         System.err.println("verifier said: " + e.verifierLog());
 *     }
 * }
 * }</pre>
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String objectName;
    private final String programName;
    private final String verifierLog;

    /** Creates an exception for a failed operation; errno is positive (0 when not from a system call). */
    public BpfException(String operation, int errno, String objectName, String programName, String detail,
            String verifierLog) {
        super(message(operation, errno, objectName, programName, detail, verifierLog));
        this.errno = Math.abs(errno);
        this.operation = operation;
        this.objectName = objectName;
        this.programName = programName;
        this.verifierLog = verifierLog;
    }

    /** Creates an exception with no errno, for errors found in Java before any system call. */
    public BpfException(String operation, String detail) {
        this(operation, 0, null, null, detail, null);
    }

    private static String message(String operation, int errno, String objectName, String programName, String detail,
            String log) {
        StringBuilder sb = new StringBuilder(operation);
        if (objectName != null) {
            sb.append(" object=").append(objectName);
        }
        if (programName != null) {
            sb.append(" program=").append(programName);
        }
        sb.append(':');
        if (detail != null && !detail.isEmpty()) {
            sb.append(' ').append(detail);
        }
        if (errno != 0) {
            int e = Math.abs(errno);
            sb.append(" (").append(LibC.errnoName(e)).append(": ").append(LibC.strerror(e)).append(')');
        }
        if (log != null && !log.isBlank()) {
            sb.append("\nverifier log (tail):\n").append(log.strip());
        }
        return sb.toString();
    }

    /** The positive errno of the failed call, or 0 when the error was found before any call. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()}, such as {@code EACCES}, or an empty string for 0. */
    public String errnoName() {
        return errno == 0 ? "" : LibC.errnoName(errno);
    }

    /** The operation that failed, such as {@code load} or {@code attach_tracepoint}. */
    public String operation() {
        return operation;
    }

    /** The name of the BPF object involved, or null. */
    public String objectName() {
        return objectName;
    }

    /** The name of the program involved, or null. */
    public String programName() {
        return programName;
    }

    /** The tail of the verifier's log when the verifier rejected a program, or null. */
    public String verifierLog() {
        return verifierLog;
    }
}
