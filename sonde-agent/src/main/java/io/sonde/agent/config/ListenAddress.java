package io.sonde.agent.config;

import java.net.InetSocketAddress;

/**
 * ListenAddress parses {@code host:port} (or {@code [v6]:port}, or {@code :port} for every address).
 *
 * <pre>{@code
 * InetSocketAddress a = ListenAddress.parse("127.0.0.1:9949", "web.listen_address");
 * }</pre>
 */
public final class ListenAddress {
    private ListenAddress() {}

    /** Parses an address; throws IllegalArgumentException naming the key when it is malformed. */
    public static InetSocketAddress parse(String text, String key) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigValueException(key, "expected host:port, got \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigValueException(key, "port of \"" + text + "\" is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigValueException(key, "port " + port + " is outside 0-65535");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : InetSocketAddress.createUnresolved(host, port);
    }
}
