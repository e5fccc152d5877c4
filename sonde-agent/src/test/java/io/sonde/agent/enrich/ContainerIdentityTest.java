package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerIdentityTest {
    private static final String ID = "ef721f9e2fcb39b163a3eb78e2faf712386fea5883df63e8ec6a828f42c79668";
    private static final String INNER = "2f5390737bd533c3e5edf02649f96d7b5c52208f4ef8767bcc4bf7d24b560fa4";
    private static final String UID = "8a3c1b42-6c0e-4d7e-9f3b-2a1d5c6e7f80";
    private static final String SLICE_UID = UID.replace('-', '_');

    private static ContainerIdentity parse(String path) {
        return ContainerIdentity.parse(path).orElseThrow(() -> new AssertionError("no container in " + path));
    }

    private static void assertContainer(String path, String runtime, String podUid, String qos) {
        assertEquals(new ContainerIdentity(ID, runtime, podUid, qos), parse(path), path);
    }

    @Test
    void dockerWithTheSystemdDriver() {
        assertContainer("/system.slice/docker-" + ID + ".scope", "docker", "", "");
    }

    @Test
    void dockerWithCgroupfs() {
        assertContainer("/docker/" + ID, "docker", "", "");
    }

    @Test
    void rootlessDockerUnderTheUserManager() {
        assertContainer("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" + ID + ".scope",
                "docker", "", "");
    }

    @Test
    void kubernetesBurstablePodOnContainerdWithSystemd() {
        assertContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + SLICE_UID
                + ".slice/cri-containerd-" + ID + ".scope", "containerd", UID, "Burstable");
    }

    @Test
    void kubernetesBestEffortPod() {
        assertContainer("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + SLICE_UID
                + ".slice/cri-containerd-" + ID + ".scope", "containerd", UID, "BestEffort");
    }

    @Test
    void guaranteedPodsHaveNoQosLevel() {
        assertContainer("/kubepods.slice/kubepods-pod" + SLICE_UID + ".slice/cri-containerd-" + ID + ".scope",
                "containerd", UID, "Guaranteed");
        assertContainer("/kubepods/pod" + UID + "/" + ID, "containerd", UID, "Guaranteed");
    }

    @Test
    void kubernetesWithCgroupfs() {
        assertContainer("/kubepods/burstable/pod" + UID + "/" + ID, "containerd", UID, "Burstable");
        assertContainer("/kubepods/besteffort/pod" + UID + "/" + ID, "containerd", UID, "BestEffort");
    }

    @Test
    void staticPodUidsAreHashesWithoutDashes() {
        String hash = "d41d8cd98f00b204e9800998ecf8427e";
        assertContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + hash
                + ".slice/cri-containerd-" + ID + ".scope", "containerd", hash, "Burstable");
    }

    @Test
    void containerdUnexpandedSystemdPathUnderItsService() {
        // kind and k3s: containerd writes slice:prefix:id when it is not a systemd child
        assertContainer("/system.slice/containerd.service/kubepods-burstable-pod" + SLICE_UID
                + ".slice:cri-containerd:" + ID, "containerd", UID, "Burstable");
    }

    @Test
    void kindNodeWithAKubeletCgroupRoot() {
        assertContainer("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                + "kubelet-kubepods-besteffort-pod" + SLICE_UID + ".slice/cri-containerd-" + ID + ".scope",
                "containerd", UID, "BestEffort");
    }

    @Test
    void criOWithSystemdAndWithCgroupfs() {
        assertContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + SLICE_UID
                + ".slice/crio-" + ID + ".scope", "cri-o", UID, "Burstable");
        assertContainer("/kubepods/burstable/pod" + UID + "/crio-" + ID, "cri-o", UID, "Burstable");
    }

    @Test
    void podmanRootfulRootlessAndCgroupfs() {
        assertContainer("/machine.slice/libpod-" + ID + ".scope", "podman", "", "");
        assertContainer("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope",
                "podman", "", "");
        assertContainer("/libpod_parent/libpod-" + ID, "podman", "", "");
    }

    @Test
    void nerdctlIsContainerd() {
        assertContainer("/system.slice/nerdctl-" + ID + ".scope", "containerd", "", "");
    }

    @Test
    void cgroupsBelowAContainerBelongToIt() {
        assertContainer("/machine.slice/libpod-" + ID + ".scope/container", "podman", "", "");
        assertContainer("/system.slice/docker-" + ID + ".scope/init.scope", "docker", "", "");
        assertContainer("/system.slice/docker-" + ID + ".scope/system.slice/nginx.service", "docker", "", "");
    }

    @Test
    void theInnermostOfNestedContainersWins() {
        ContainerIdentity c = parse("/docker/" + ID + "/docker/" + INNER);
        assertEquals(INNER, c.id());
        assertEquals("docker", c.runtime());
        // a kind node is a Docker container on the host; the pod inside is the workload
        c = parse("/system.slice/docker-" + ID + ".scope/kubelet.slice/kubelet-kubepods.slice/"
                + "kubelet-kubepods-pod" + SLICE_UID + ".slice/cri-containerd-" + INNER + ".scope");
        assertEquals(new ContainerIdentity(INNER, "containerd", UID, "Guaranteed"), c);
    }

    @Test
    void dockerContainersOfAKubeletOnDockershim() {
        assertContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + SLICE_UID
                + ".slice/docker-" + ID + ".scope", "docker", UID, "Burstable");
    }

    @Test
    void aBareIdUnderAnUnknownParentHasNoRuntime() {
        assertContainer("/ecs/5d0b4e1f/" + ID, "", "", "");
    }

    @Test
    void conmonMonitorsAreTheHost() {
        assertEquals(Optional.empty(), ContainerIdentity.parse("/machine.slice/libpod-conmon-" + ID + ".scope"));
        assertEquals(Optional.empty(), ContainerIdentity.parse("/kubepods.slice/kubepods-burstable.slice/"
                + "kubepods-burstable-pod" + SLICE_UID + ".slice/crio-conmon-" + ID + ".scope"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/",
        "",
        "/init.scope",
        "/system.slice/nginx.service",
        "/system.slice/containerd.service",
        "/system.slice/docker.service",
        "/user.slice/user-1000.slice/session-3.scope",
        "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope",
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8a3c1b42_6c0e_4d7e_9f3b_2a1d5c6e7f80.slice",
        "/kubepods/burstable",
        "/system.slice/docker-notahexid.scope",
        "/system.slice/docker-EF721F9E2FCB39B163A3EB78E2FAF712386FEA5883DF63E8EC6A828F42C79668.scope",
        "/system.slice/docker-ef721f9e2fcb39b163a3eb78e2faf712386fea5883df63e8ec6a828f42c7966.scope",
        "/system.slice/docker-ef721f9e2fcb39b163a3eb78e2faf712386fea5883df63e8ec6a828f42c796680.scope",
        "/docker/ef721f9e2fcb",
        "/machine.slice/systemd-nspawn@debian.service",
        "<unknown>",
    })
    void hostCgroupsHaveNoContainer(String path) {
        assertEquals(Optional.empty(), ContainerIdentity.parse(path), path);
    }

    @Test
    void shortIdIsTheFirstTwelveDigits() {
        ContainerIdentity c = parse("/docker/" + ID);
        assertEquals(ID, c.id());
        assertEquals("ef721f9e2fcb", c.shortId());
        assertFalse(c.inPod());
        assertTrue(parse("/kubepods/pod" + UID + "/" + ID).inPod());
    }

    @Test
    void componentsMustNotBeNull() {
        assertThrows(NullPointerException.class, () -> new ContainerIdentity(ID, null, "", ""));
    }
}
