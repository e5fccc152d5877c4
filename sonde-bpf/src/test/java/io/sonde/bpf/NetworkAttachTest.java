package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.Native;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * XDP and TC on one end of a veth pair whose other end lives in a network namespace the test
 * creates; cgroup_skb on a cgroup the test creates; a socket filter on a socket. Each counts the exact
 * number of UDP packets the test sends.
 */
class NetworkAttachTest {
    private static final int XDP = 0, TC = 1, CGROUP = 2, SOCKET = 3, XDP_ALT = 4;
    private static final int N = 50;
    private static final int PORT = 40_999;

    private static String ns;
    private static String hostIf;
    private static String hostIp;

    @BeforeAll
    static void network() {
        KernelTests.requireBpf();
        String id = KernelTests.suffix();
        ns = "sonde-t-" + id;
        hostIf = "sdt" + id + "a";
        String peerIf = "sdt" + id + "b";
        int subnet = (int) (System.nanoTime() % 200) + 20;
        hostIp = "10.250." + subnet + ".1";
        KernelTests.run("ip", "netns", "add", ns);
        KernelTests.run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", peerIf, "netns", ns);
        KernelTests.run("ip", "addr", "add", hostIp + "/30", "dev", hostIf);
        KernelTests.run("ip", "link", "set", hostIf, "up");
        KernelTests.run("ip", "-n", ns, "addr", "add", "10.250." + subnet + ".2/30", "dev", peerIf);
        KernelTests.run("ip", "-n", ns, "link", "set", peerIf, "up");
        KernelTests.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    @AfterAll
    static void cleanUp() {
        if (hostIf != null) {
            KernelTests.runQuietly("ip", "link", "del", hostIf);
        }
        if (ns != null) {
            KernelTests.runQuietly("ip", "netns", "del", ns);
        }
    }

    private static BpfObject net(String... programs) {
        BpfObject obj = BpfObject.openResource(NetworkAttachTest.class, "/bpf/net.bpf.o");
        obj.setGlobal("port", PORT);
        java.util.Set<String> wanted = java.util.Set.of(programs);
        for (Program p : obj.programs()) {
            p.setAutoload(wanted.contains(p.name()));
        }
        obj.load();
        return obj;
    }

    /** Sends n one-byte UDP datagrams from inside the namespace to the host end of the veth pair. */
    private static void sendFromNamespace(int n) {
        KernelTests.run("ip", "netns", "exec", ns, "bash", "-c",
                "for i in $(seq " + n + "); do printf x > /dev/udp/" + hostIp + "/" + PORT + "; done");
    }

    @Test
    void xdpCountsPacketsAndLinkUpdateSwapsProgram() {
        try (BpfObject obj = net("count_xdp", "count_xdp_alt")) {
            int ifindex = Kernel.ifindex(hostIf);
            try (Link link = obj.program("count_xdp").attachXdp(ifindex, XdpMode.DEFAULT)) {
                sendFromNamespace(N);
                assertEquals(N, obj.map("packets").lookupLong(XDP));
                link.update(obj.program("count_xdp_alt"));
                sendFromNamespace(N);
                assertEquals(N, obj.map("packets").lookupLong(XDP), "old program no longer runs");
                assertEquals(N, obj.map("packets").lookupLong(XDP_ALT));
            }
        }
    }

    @Test
    void xdpGenericMode() {
        try (BpfObject obj = net("count_xdp");
                Link link = obj.program("count_xdp").attachXdp(Kernel.ifindex(hostIf), XdpMode.GENERIC)) {
            sendFromNamespace(N);
            assertEquals(N, obj.map("packets").lookupLong(XDP));
        }
    }

    @Test
    void tcIngressCountsPackets() {
        try (BpfObject obj = net("count_tc");
                Link link = obj.program("count_tc").attachTc(Kernel.ifindex(hostIf), TcDirection.INGRESS)) {
            sendFromNamespace(N);
            assertEquals(N, obj.map("packets").lookupLong(TC));
        }
    }

    @Test
    void cgroupSkbCountsWhatTheCgroupSends() throws IOException {
        Path cgroup = KernelTests.cgroup2Root().resolve("sonde-test-" + KernelTests.suffix());
        Files.createDirectory(cgroup);
        try (BpfObject obj = net("count_cgroup");
                Link link = obj.program("count_cgroup").attachCgroup(cgroup, AttachType.CGROUP_INET_EGRESS)) {
            KernelTests.run("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + "; for i in $(seq " + N
                    + "); do printf x > /dev/udp/127.0.0.1/" + PORT + "; done");
            assertEquals(N, obj.map("packets").lookupLong(CGROUP));
        } finally {
            Files.deleteIfExists(cgroup);
        }
    }

    @Test
    void socketFilterSeesEveryPacket() throws IOException {
        MemorySegment capture = Native.capture();
        int fd = LibC.socket(capture, 2, 2, 0); // AF_INET, SOCK_DGRAM
        try (Arena a = Arena.ofConfined(); BpfObject obj = net("count_socket")) {
            MemorySegment addr = a.allocate(16, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) 2);
            addr.set(ValueLayout.JAVA_INT_UNALIGNED, 4, ByteBuffer.wrap(new byte[] {127, 0, 0, 1})
                    .order(ByteOrder.nativeOrder()).getInt());
            assertEquals(0, LibC.bindSocket(capture, fd, addr, 16));
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 16);
            assertEquals(0, LibC.getsockname(capture, fd, addr, len));
            int port = Short.toUnsignedInt(Short.reverseBytes(addr.get(ValueLayout.JAVA_SHORT, 2)));
            try (Link link = obj.program("count_socket").attachSocket(fd);
                    DatagramChannel sender = DatagramChannel.open()) {
                MemorySegment buf = a.allocate(64);
                for (int i = 0; i < N; i++) {
                    sender.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("127.0.0.1", port));
                    assertEquals(3, LibC.recv(capture, fd, buf, 64, 0));
                }
                assertEquals(N, obj.map("packets").lookupLong(SOCKET));
            }
        } finally {
            LibC.close(fd);
        }
    }
}
