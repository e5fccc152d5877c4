package io.sonde.agent.probe;

/**
 * Attribution turns the kernel's identities into the labels metrics carry: a cgroup id into the
 * cgroup v2 path ("/" for the root) and that path into a container id ("" on the host).
 *
 * <pre>{@code
 * String cgroup = attribution.cgroupPath(cgroupId);
 * String container = attribution.container(cgroup);
 * }</pre>
 */
public interface Attribution {
    /** The cgroup v2 path of a cgroup id, or "&lt;unknown&gt;" when it cannot be found. */
    String cgroupPath(long cgroupId);

    /** The container id of a cgroup path, or "" for host cgroups. */
    String container(String cgroupPath);

    /** Whether the cgroup of this id no longer exists (its map entries may be deleted). */
    boolean cgroupGone(long cgroupId);
}
