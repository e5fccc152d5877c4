package io.sonde.agent.cli;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * LogFormat writes one line per event to stderr, {@code key=value}:
 * {@code ts=2026-11-24T22:00:00Z level=info logger=io.sonde.agent.probe event=probe_up probe=syscalls}.
 * Messages that are already key=value pairs are kept as they are; others become {@code msg="..."}.
 */
final class LogFormat extends Formatter {
    /** Installs the format on the root logger; debug lines only when verbose. */
    static void install(boolean verbose) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat());
        handler.setLevel(verbose ? Level.ALL : Level.INFO);
        root.addHandler(handler);
        root.setLevel(verbose ? Level.ALL : Level.INFO);
    }

    /** One line in this format, for the rare places that cannot go through the logger. */
    static String line(String level, String logger, String body) {
        return "ts=" + Instant.now() + " level=" + level + " logger=" + logger + " " + body + "\n";
    }

    @Override
    public String format(LogRecord r) {
        String msg = formatMessage(r).replace('\n', ' ');
        String level = switch (r.getLevel().getName()) {
            case "SEVERE" -> "error";
            case "WARNING" -> "warn";
            case "INFO" -> "info";
            default -> "debug";
        };
        String body = msg.matches("^[a-z_]+=.*") ? msg : "msg=\"" + msg.replace("\"", "'") + "\"";
        StringBuilder sb = new StringBuilder().append("ts=").append(Instant.ofEpochMilli(r.getMillis()))
                .append(" level=").append(level).append(" logger=").append(r.getLoggerName()).append(' ')
                .append(body);
        if (r.getThrown() != null) {
            sb.append(" error=\"").append(String.valueOf(r.getThrown().getMessage()).replace('"', '\'')).append('"');
        }
        return sb.append('\n').toString();
    }
}
