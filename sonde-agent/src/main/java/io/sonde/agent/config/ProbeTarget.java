package io.sonde.agent.config;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ProbeTarget is one target of the active prober ({@code probes.probe.targets[i]}): what to probe, how,
 * and from which network namespace. The address is checked for its form only (a literal IP address or
 * a host name, with a port for {@code tcp} and {@code udp}); names are resolved when probed.
 *
 * <pre>{@code
 * ProbeTarget t = new ProbeTarget("udp", "[fd00::2]:7", "edge", null);
 * t.host();   // "fd00::2"
 * t.port();   // 7
 * t.label();  // "edge" (the address when there is no name)
 * }</pre>
 *
 * @param kind {@code tcp} (connect time), {@code icmp} (echo request and reply) or {@code udp} (a
 *     datagram the target echoes back)
 * @param address {@code host:port} for tcp and udp ({@code [v6]:port} for IPv6), {@code host} for icmp
 * @param name the {@code target} label; the address when absent
 * @param netns the network namespace to probe from: a name under /var/run/netns or an absolute path
 *     (such as {@code /proc/PID/ns/net}); the agent's own namespace when absent
 */
public record ProbeTarget(String kind, String address, String name, String netns) {
    /** The kinds of probe. */
    public static final Set<String> KINDS = Set.of("tcp", "icmp", "udp");

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");

    public ProbeTarget {
        if (kind == null || !KINDS.contains(kind)) {
            throw new ConfigValueException("kind", "must be one of icmp, tcp, udp, got "
                    + (kind == null ? "nothing" : "\"" + kind + "\""));
        }
        if (address == null || address.isBlank()) {
            throw new ConfigValueException("address", "is required (" + (kind.equals("icmp") ? "host" : "host:port")
                    + ")");
        }
        String problem = hostAndPort(kind, address, null);
        if (problem != null) {
            throw new ConfigValueException("address", problem + ", got \"" + address + "\"");
        }
        if (name != null && name.isBlank()) {
            throw new ConfigValueException("name", "must not be empty");
        }
        if (netns != null && !(netns.startsWith("/") || (!netns.isEmpty() && !netns.contains("/")
                && !netns.equals(".") && !netns.equals("..")))) {
            throw new ConfigValueException("netns", "must be a name under /var/run/netns or an absolute path, got \""
                    + netns + "\"");
        }
    }

    /** The host: a literal IP address (IPv6 without brackets) or a host name. */
    public String host() {
        String[] out = new String[2];
        hostAndPort(kind, address, out);
        return out[0];
    }

    /** The port for tcp and udp, -1 for icmp. */
    public int port() {
        String[] out = new String[2];
        hostAndPort(kind, address, out);
        return out[1] == null ? -1 : Integer.parseInt(out[1]);
    }

    /** The {@code target} label: the name, or the address as written. */
    public String label() {
        return name != null ? name : address;
    }

    /** The namespace file to enter, or null for the agent's own namespace. */
    public String netnsPath() {
        return netns == null ? null : netns.startsWith("/") ? netns : "/var/run/netns/" + netns;
    }

    /** The target as plain values for /api/probes. */
    public Map<String, Object> settings() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", kind);
        out.put("address", address);
        out.put("target", label());
        if (netns != null) {
            out.put("netns", netns);
        }
        return out;
    }

    /** Splits the address into {@code out} (host, port or null); returns what is wrong, or null. */
    private static String hostAndPort(String kind, String address, String[] out) {
        boolean needsPort = !kind.equals("icmp");
        String host;
        String port = null;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                return "has no closing ]";
            }
            host = address.substring(1, close);
            String rest = address.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return "expected :port after ]";
                }
                port = rest.substring(1);
            }
            if (!isLiteral(host) || !host.contains(":")) {
                return "[" + host + "] is not an IPv6 address";
            }
        } else if (address.indexOf(':') != address.lastIndexOf(':')) {
            host = address; // a bare IPv6 literal: only icmp takes it (a port needs brackets)
            if (!isLiteral(host)) {
                return "is neither host:port nor an IPv6 address";
            }
        } else {
            int colon = address.indexOf(':');
            host = colon < 0 ? address : address.substring(0, colon);
            port = colon < 0 ? null : address.substring(colon + 1);
            String bad = hostProblem(host);
            if (bad != null) {
                return bad;
            }
        }
        if (needsPort && port == null) {
            return kind + " needs host:port ([host]:port for IPv6)";
        }
        if (!needsPort && port != null) {
            return "icmp takes a host without a port";
        }
        if (port != null && !validPort(port)) {
            return "the port must be 1-65535";
        }
        if (out != null) {
            out[0] = host;
            out[1] = port;
        }
        return null;
    }

    private static String hostProblem(String host) {
        if (host.isEmpty()) {
            return "has no host";
        }
        if (DOTTED_NUMBERS.matcher(host).matches()) {
            return isLiteral(host) ? null : host + " is not an IPv4 address";
        }
        if (host.length() > 253) {
            return "the host name is longer than 253 characters";
        }
        for (String label : (host.endsWith(".") ? host.substring(0, host.length() - 1) : host).split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return "\"" + host + "\" is not a host name or IP address";
            }
        }
        return null;
    }

    private static boolean isLiteral(String host) {
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535;
    }
}
