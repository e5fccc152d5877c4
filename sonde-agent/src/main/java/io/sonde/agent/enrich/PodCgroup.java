package io.sonde.agent.enrich;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PodCgroup is the pod a kubelet cgroup names: with the systemd driver
 * {@code kubepods-burstable-pod<uid>.slice} (dashes of the uid written as underscores, as systemd
 * reserves the dash for nesting), with cgroupfs {@code /kubepods/burstable/pod<uid>}. Guaranteed pods
 * sit right under kubepods, without a QoS level. A kubelet with a cgroup root adds a prefix
 * ({@code kubelet-kubepods-...} under kind).
 */
record PodCgroup(String uid, String qosClass) {
    private static final Pattern SLICE =
            Pattern.compile("(?:.*-)?kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]+)\\.slice");
    private static final Pattern KUBEPODS_SLICE = Pattern.compile("(?:.*-)?kubepods(?:-.*)?\\.slice");
    private static final Pattern CGROUPFS_POD = Pattern.compile("pod([0-9a-f-]+)");

    /** The pod of a systemd pod slice name, or null. */
    static PodCgroup ofSlice(String segment) {
        Matcher m = SLICE.matcher(segment);
        return m.matches() ? new PodCgroup(m.group(2).replace('_', '-'), qosClass(m.group(1))) : null;
    }

    /** The nearest pod among segments[0..below), or null. */
    static PodCgroup above(String[] segments, int below) {
        for (int j = below - 1; j >= 0; j--) {
            PodCgroup pod = ofSlice(segments[j]);
            if (pod != null) {
                return pod;
            }
            Matcher m = CGROUPFS_POD.matcher(segments[j]);
            int kubepods = lastIndexOf(segments, "kubepods", j);
            if (m.matches() && kubepods >= 0) {
                String qos = kubepods + 1 < j ? segments[kubepods + 1] : null;
                return new PodCgroup(m.group(1), qosClass(qos));
            }
        }
        return null;
    }

    /** Whether some segment before i is a kubepods cgroup of either driver. */
    static boolean underKubepods(String[] segments, int i) {
        for (int j = 0; j < i; j++) {
            if (segments[j].equals("kubepods") || KUBEPODS_SLICE.matcher(segments[j]).matches()) {
                return true;
            }
        }
        return false;
    }

    private static int lastIndexOf(String[] segments, String name, int before) {
        for (int j = before - 1; j >= 0; j--) {
            if (segments[j].equals(name)) {
                return j;
            }
        }
        return -1;
    }

    private static String qosClass(String level) {
        if (level == null) {
            return "Guaranteed";
        }
        return switch (level) {
            case "burstable" -> "Burstable";
            case "besteffort" -> "BestEffort";
            default -> ""; // a level this kubelet layout does not have: say nothing rather than guess
        };
    }
}
