package io.sonde.agent.probe;

/**
 * TunableProbe is a probe whose filters, sampling and thresholds live in BPF global variables or maps
 * and change while its programs run: through {@code PUT /api/probes/{probe}/settings} and through a
 * configuration reload (SIGHUP), never by reloading programs. Its settings are its configuration record
 * ({@code probes.<name>} in the file); {@link ProbeSettings} validates a change against that record.
 *
 * <pre>{@code
 * if (probe instanceof TunableProbe t) {
 *     t.applySettings(ProbeSettings.merge(t, "{\"pid\": 42}"));
 * }
 * }</pre>
 */
public interface TunableProbe extends Probe {
    /** The record class of its settings (an {@code AgentConfig} section). */
    Class<? extends Record> settingsType();

    /** The settings in force now. */
    Record settings();

    /**
     * Applies settings to the running programs. Throws {@code ConfigValueException} naming the field when
     * a value cannot be applied (one fixed at load time, a cgroup that does not exist); nothing changes then.
     */
    void applySettings(Record settings);
}
