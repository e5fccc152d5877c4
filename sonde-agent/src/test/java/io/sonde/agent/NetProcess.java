package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NetProcess is one run of the network test workload (src/test/c/netload.c) in a namespace of a
 * {@link NetPair} and a test cgroup: read its lines, tell it to go on, wait for its exit.
 *
 * <pre>{@code
 * try (NetProcess server = NetProcess.start(net, NetPair.Side.B, cgroup, "serve", ip, "5000", "1", "sink")) {
 *     server.expect("ready");
 * }
 * }</pre>
 */
final class NetProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;
    private final List<String> seen = new ArrayList<>();

    private NetProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        this.in = process.getOutputStream();
    }

    /** Starts netload with these arguments in the side's namespace and the cgroup. */
    static NetProcess start(NetPair net, NetPair.Side side, Path cgroup, String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = KernelHost.netload().toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return new NetProcess(net.start(side, cgroup, command));
    }

    /** The next line it printed; fails when it exited first. */
    String line() throws IOException {
        String l = out.readLine();
        if (l == null) {
            throw new AssertionError("netload ended without a line (exit " + exitValue() + ") after " + seen);
        }
        seen.add(l);
        return l;
    }

    /** Reads the next line and checks that it starts with the prefix; returns the rest. */
    String expect(String prefix) throws IOException {
        String l = line();
        assertTrue(l.startsWith(prefix), "netload printed \"" + l + "\", expected \"" + prefix + "...\"");
        return l.substring(prefix.length()).strip();
    }

    /** Tells it to go on (it waits for a line). */
    void go() throws IOException {
        in.write("go\n".getBytes());
        in.flush();
    }

    /** Waits for its exit and checks that it exited 0. */
    void exited() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("netload did not exit");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("netload exited " + process.exitValue() + " after " + seen);
        }
    }

    private String exitValue() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
