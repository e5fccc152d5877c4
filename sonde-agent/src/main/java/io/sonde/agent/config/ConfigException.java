package io.sonde.agent.config;

/**
 * ConfigException says what is wrong with a configuration file, and where: the file, the line and
 * the key (dotted, such as {@code metrics.series_budget}).
 *
 * <pre>{@code
 * try {
 *     ConfigLoader.load(path);
 * } catch (ConfigException e) {
 *     System.err.println(e.getMessage()); // sonde.yaml:4: metrics.series_budget: must be at least 1, got 0
 * }
 * }</pre>
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String key;

    public ConfigException(String file, int line, String key, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + problem);
        this.file = file;
        this.line = line;
        this.key = key;
    }

    /** The file that holds the error. */
    public String file() {
        return file;
    }

    /** The line (from 1), or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The dotted key, or an empty string for an error of the file as a whole. */
    public String key() {
        return key;
    }
}
