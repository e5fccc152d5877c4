package io.sonde.agent.check;

import io.sonde.bpf.BpfException;

/**
 * FailureReason turns a BpfException into the short text a user reads in the check's output: the
 * errno's name and the most telling line, which is the verifier's verdict, else libbpf's first
 * warning (later ones are often guesses, such as its hint about {@code ulimit -l} on any EPERM), else
 * the exception's own detail.
 */
final class FailureReason {
    private FailureReason() {}

    private static final int ENOTSUPP = 524; // kernel-internal: the C library has no name for it

    /** The errno's symbolic name, or null when the failure had none. */
    static String errnoName(BpfException e) {
        if (e.errno() == 0) {
            return null;
        }
        return e.errno() == ENOTSUPP ? "ENOTSUPP" : e.errnoName();
    }

    /** Such as {@code EINVAL (BPF program load failed: Invalid argument)}; the hint, when given, replaces the text. */
    static String of(BpfException e, String hint) {
        String text = hint != null ? hint : text(e);
        String name = errnoName(e);
        return name == null ? text : name + " (" + text + ")";
    }

    private static String text(BpfException e) {
        String verdict = verifierVerdict(e.verifierLog());
        if (verdict != null) {
            return "verifier: " + verdict;
        }
        String text = firstLine(e.getMessage());
        if (text.startsWith(e.operation())) {
            int colon = text.indexOf(": ");
            text = colon < 0 ? text : text.substring(colon + 2); // drop "operation object=... program=...: "
        }
        int errnoText = text.lastIndexOf(" (" + e.errnoName() + ": ");
        if (e.errno() != 0 && errnoText > 0) {
            text = text.substring(0, errnoText);
        }
        int libbpf = text.indexOf("libbpf: ");
        if (libbpf >= 0) {
            text = text.substring(libbpf + 8);
            int next = text.indexOf(" | ");
            text = next < 0 ? text : text.substring(0, next);
            text = text.replaceFirst("^prog '[^']*': ", "");
        }
        return text;
    }

    /** The verifier's last line that is not a statistic, or null. */
    private static String verifierVerdict(String log) {
        if (log == null) {
            return null;
        }
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !line.startsWith("processed ") && !line.startsWith("verification time")
                    && !line.startsWith("stack depth")) {
                return line;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
