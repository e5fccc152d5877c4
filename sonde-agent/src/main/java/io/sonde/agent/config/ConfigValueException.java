package io.sonde.agent.config;

/**
 * ConfigValueException is thrown while a configuration is being bound when one value is impossible;
 * the loader turns it into a {@link ConfigException} with the file, line and full key.
 */
public final class ConfigValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigValueException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The key within its section, such as {@code series_budget}. */
    public String key() {
        return key;
    }
}
