package io.sonde.agent.enrich;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ContainerIdentity is the container a cgroup v2 path belongs to, read from the names that container
 * runtimes and the kubelet give their cgroups: the full 64-hex container id, the runtime, and for a
 * Kubernetes pod its uid and QoS class.
 *
 * <p>The layouts recognised, with the systemd cgroup driver and with cgroupfs:
 * <ul>
 * <li>Docker: {@code /system.slice/docker-<id>.scope}, {@code /docker/<id>};</li>
 * <li>containerd (Kubernetes CRI, nerdctl): {@code .../kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope},
 *     {@code /system.slice/containerd.service/kubepods-burstable-pod<uid>.slice:cri-containerd:<id>} (kind, k3s),
 *     {@code /kubepods/burstable/pod<uid>/<id>}, {@code nerdctl-<id>.scope};</li>
 * <li>CRI-O: {@code .../crio-<id>.scope}, {@code /kubepods/.../pod<uid>/crio-<id>};</li>
 * <li>Podman: {@code /machine.slice/libpod-<id>.scope} (also rootless, under {@code user@<uid>.service}),
 *     {@code /libpod_parent/libpod-<id>}.</li>
 * </ul>
 * The deepest segment that names a container wins: cgroups below it ({@code .../docker-<id>.scope/init.scope},
 * a systemd inside the container) belong to it, and in nested containers (Docker in Docker, a kind
 * node running pods) the innermost is the workload. A bare 64-hex directory under {@code kubepods}
 * is reported as containerd, the runtime that lays pods out that way today (Docker via dockershim,
 * gone since Kubernetes 1.24, did the same); under {@code /docker} as Docker; elsewhere with runtime
 * {@code ""} (the path does not say).
 *
 * <p>Everything else is the host: the root, {@code /system.slice/nginx.service}, user sessions, pod
 * slices without a container below them, and the runtimes' own monitors ({@code libpod-conmon-<id>.scope},
 * {@code crio-conmon-<id>.scope}), which run on the host beside the container, not in it. For these
 * {@link #parse} returns empty and the agent shows {@code container=""}; the cgroup label still names
 * the service.
 *
 * <pre>{@code
 * String container = ContainerIdentity.parse(cgroups.path(id)).map(ContainerIdentity::id).orElse("");
 * }</pre>
 *
 * @param id the full container id, 64 lower-case hex digits
 * @param runtime {@code "docker"}, {@code "containerd"}, {@code "cri-o"}, {@code "podman"}, or {@code ""} when the path does not say
 * @param podUid the Kubernetes pod uid with dashes, {@code ""} outside a pod
 * @param qosClass the pod's Kubernetes QoS class ({@code "Guaranteed"}, {@code "Burstable"}, {@code "BestEffort"}), {@code ""} outside a pod
 */
public record ContainerIdentity(String id, String runtime, String podUid, String qosClass) {
    /** The runtime of Docker containers. */
    public static final String DOCKER = "docker";
    /** The runtime of containerd containers: Kubernetes pods through the CRI plugin, nerdctl. */
    public static final String CONTAINERD = "containerd";
    /** The runtime of CRI-O containers. */
    public static final String CRIO = "cri-o";
    /** The runtime of Podman containers. */
    public static final String PODMAN = "podman";

    private static final String HEX64 = "([0-9a-f]{64})";
    /** A systemd scope a runtime made for one container: docker-<id>.scope, cri-containerd-<id>.scope, ... */
    private static final Pattern SCOPE = Pattern.compile("(docker|cri-containerd|crio|libpod|nerdctl)-" + HEX64 + "\\.scope");
    /** A runtime's conmon monitor of one container: a host process. */
    private static final Pattern CONMON = Pattern.compile("(libpod|crio)-conmon-" + HEX64 + "(\\.scope)?");
    /** The systemd cgroupsPath left unexpanded (slice:prefix:id), as containerd writes it when it is not systemd's child. */
    private static final Pattern COLON = Pattern.compile("([^:]*):(docker|cri-containerd|crio):" + HEX64);
    /** A cgroupfs-driver directory a runtime names with a prefix. */
    private static final Pattern PREFIXED = Pattern.compile("(crio|libpod)-" + HEX64);
    private static final Pattern BARE = Pattern.compile(HEX64);

    /** Checks that no component is null; absent ones are empty strings. */
    public ContainerIdentity {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(qosClass, "qosClass");
    }

    /** The first 12 digits of the id, as {@code docker ps} and {@code crictl ps} show it. */
    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Whether the container runs in a Kubernetes pod. */
    public boolean inPod() {
        return !podUid.isEmpty();
    }

    /** Parse returns the container the cgroup at this path (relative to the cgroup2 mount) belongs to, or empty for the host. */
    public static Optional<ContainerIdentity> parse(String cgroupPath) {
        String[] segments = cgroupPath.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            String s = segments[i];
            if (s.isEmpty()) {
                continue;
            }
            if (CONMON.matcher(s).matches()) {
                return Optional.empty();
            }
            Matcher m;
            if ((m = SCOPE.matcher(s)).matches() || (m = PREFIXED.matcher(s)).matches()) {
                return Optional.of(inPod(m.group(2), runtimeOf(m.group(1)), segments, i, null));
            }
            if ((m = COLON.matcher(s)).matches()) {
                return Optional.of(inPod(m.group(3), runtimeOf(m.group(2)), segments, i, m.group(1)));
            }
            if (BARE.matcher(s).matches()) {
                String runtime = PodCgroup.underKubepods(segments, i) ? CONTAINERD
                        : i > 0 && segments[i - 1].equals("docker") ? DOCKER : "";
                return Optional.of(inPod(s, runtime, segments, i, null));
            }
        }
        return Optional.empty();
    }

    /** The identity, with the pod found in slice (the colon form's own slice) or above segment i. */
    private static ContainerIdentity inPod(String id, String runtime, String[] segments, int i, String slice) {
        PodCgroup pod = slice != null ? PodCgroup.ofSlice(slice) : null;
        if (pod == null) {
            pod = PodCgroup.above(segments, i);
        }
        return pod == null
                ? new ContainerIdentity(id, runtime, "", "")
                : new ContainerIdentity(id, runtime, pod.uid(), pod.qosClass());
    }

    private static String runtimeOf(String prefix) {
        return switch (prefix) {
            case "docker" -> DOCKER;
            case "cri-containerd", "nerdctl" -> CONTAINERD;
            case "crio" -> CRIO;
            case "libpod" -> PODMAN;
            default -> throw new IllegalArgumentException(prefix);
        };
    }
}
