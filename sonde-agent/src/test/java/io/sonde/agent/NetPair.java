package io.sonde.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NetPair is two network namespaces the test creates, joined by a veth pair, so that network tests
 * send traffic nowhere but between them. Side "a" is 10.199.N.1 and fd00:199:N::1, side "b" is
 * 10.199.N.2 and fd00:199:N::2 (no duplicate address detection, so IPv6 works at once). Closing it
 * deletes both namespaces and everything in them (veths, nftables tables).
 *
 * <pre>{@code
 * try (NetPair net = NetPair.create()) {
 *     Process server = net.start(NetPair.Side.B, serverCgroup, "/path/to/netload", "listen", "5000", "10");
 *     net.nft(NetPair.Side.B, "add table inet t; ...");
 *     Map<String, Long> tcp = net.snmp(NetPair.Side.A, "Tcp");
 * }
 * }</pre>
 */
public final class NetPair implements AutoCloseable {
    /** The two ends. */
    public enum Side { A, B }

    private static final AtomicInteger NEXT = new AtomicInteger((int) (ProcessHandle.current().pid() % 200));

    private final String a;
    private final String b;
    private final int subnet;

    private NetPair(String a, String b, int subnet) {
        this.a = a;
        this.b = b;
        this.subnet = subnet;
    }

    /** Creates the namespaces, the veth pair between them, addresses (IPv4 and IPv6) and loopback. */
    public static NetPair create() {
        int n = NEXT.getAndIncrement() % 250 + 1;
        String tag = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        NetPair p = new NetPair("sonde-a-" + tag, "sonde-b-" + tag, n);
        try {
            KernelHost.run("ip", "netns", "add", p.a);
            KernelHost.run("ip", "netns", "add", p.b);
            KernelHost.run("ip", "-n", p.a, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns",
                    p.b);
            for (Side s : Side.values()) {
                String ns = p.name(s);
                KernelHost.run("ip", "-n", ns, "link", "set", "lo", "up");
                KernelHost.run("ip", "-n", ns, "addr", "add", p.ipv4(s) + "/24", "dev", "veth0");
                KernelHost.run("ip", "-n", ns, "addr", "add", p.ipv6(s) + "/64", "dev", "veth0", "nodad");
                KernelHost.run("ip", "-n", ns, "link", "set", "veth0", "up");
            }
        } catch (AssertionError | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The namespace's name (for {@code ip netns exec}). */
    public String name(Side side) {
        return side == Side.A ? a : b;
    }

    /** The side's IPv4 address. */
    public String ipv4(Side side) {
        return "10.199." + subnet + "." + (side == Side.A ? 1 : 2);
    }

    /** The side's IPv6 address. */
    public String ipv6(Side side) {
        return "fd00:199:" + Integer.toHexString(subnet) + "::" + (side == Side.A ? 1 : 2);
    }

    /** Runs a command inside the side's namespace and returns its output; fails the test unless it exits 0. */
    public String exec(Side side, String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name(side)));
        c.addAll(List.of(command));
        return KernelHost.run(c.toArray(String[]::new));
    }

    /**
     * Starts a command inside the side's namespace and inside a cgroup (when not null): the process
     * joins the cgroup before it execs, so all its work is attributed there. Standard error is inherited.
     */
    public Process start(Side side, Path cgroup, String... command) throws IOException {
        // join the cgroup first: ip netns exec mounts a fresh /sys, without the cgroup file systems
        List<String> c = new ArrayList<>(List.of("bash", "-c", (cgroup == null ? "" : "echo $$ > "
                + cgroup.resolve("cgroup.procs") + " && ") + "exec ip netns exec \"$0\" \"$@\"", name(side)));
        c.addAll(List.of(command));
        return new ProcessBuilder(c).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Applies an nftables script (nft -f -) inside the side's namespace. */
    public void nft(Side side, String script) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", name(side), "nft", "-f", "-").redirectErrorStream(true)
                    .start();
            p.getOutputStream().write(script.getBytes());
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError("nft -f in " + name(side) + " failed: " + out + "\nscript:\n" + script);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run nft: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The counters of one protocol line pair of the side's /proc/net/snmp ("Tcp", "Udp", "Ip"...). */
    public Map<String, Long> snmp(Side side, String protocol) {
        Map<String, Long> out = new HashMap<>();
        String[] names = null;
        for (String line : exec(side, "cat", "/proc/net/snmp").split("\n")) {
            if (!line.startsWith(protocol + ":")) {
                continue;
            }
            String[] fields = line.substring(protocol.length() + 1).trim().split("\\s+");
            if (names == null) {
                names = fields;
            } else {
                for (int i = 0; i < names.length && i < fields.length; i++) {
                    out.put(names[i], Long.parseLong(fields[i]));
                }
            }
        }
        if (out.isEmpty()) {
            throw new AssertionError("no " + protocol + " counters in /proc/net/snmp of " + name(side));
        }
        return out;
    }

    /** Deletes both namespaces (with the veth pair and any nftables tables in them). */
    @Override
    public void close() {
        for (String ns : List.of(a, b)) {
            try {
                new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor();
            } catch (IOException e) {
                // best effort: names are random, a leftover does not disturb the next run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
