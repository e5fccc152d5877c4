package io.sonde.agent.probe;

import io.sonde.agent.config.ConfigValueException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * ProbeSettings validates a partial settings change (a JSON object) against a tunable probe's settings
 * record: fields left out keep their current values, unknown fields, wrong types and impossible values
 * are refused with a {@link ConfigValueException} naming the field. The same record validates the
 * configuration file, so the API and the file accept exactly the same values.
 *
 * <pre>{@code
 * Record next = ProbeSettings.merge(files, "{\"pid\": 42, \"events\": true}");
 * files.applySettings(next);
 * }</pre>
 */
public final class ProbeSettings {
    private ProbeSettings() {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** The probe's current settings changed by the fields of a JSON object. */
    public static Record merge(TunableProbe probe, String body) {
        JsonNode change;
        try {
            change = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ConfigValueException("body", "not valid JSON: " + e.getOriginalMessage());
        }
        if (change == null || !change.isObject()) {
            throw new ConfigValueException("body", "must be a JSON object of settings, such as {\"pid\": 42}");
        }
        ObjectNode merged = JSON.valueToTree(probe.settings());
        merged.setAll((ObjectNode) change);
        try {
            return JSON.treeToValue(merged, probe.settingsType());
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigValueException(e.getPropertyName(), "unknown setting of probe " + probe.name()
                    + "; its settings are " + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                            .collect(Collectors.joining(", ")));
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof ConfigValueException v) {
                throw v;
            }
            throw new ConfigValueException(field(e), String.valueOf(e.getOriginalMessage()));
        } catch (MismatchedInputException e) {
            String type = e.getTargetType() == null ? "value" : e.getTargetType().getSimpleName().toLowerCase()
                    .replace("integer", "integer").replace("long", "integer");
            throw new ConfigValueException(field(e), "expected " + (type.equals("string") ? "a string" : type.equals(
                    "boolean") ? "true or false" : "an " + type));
        } catch (JsonProcessingException e) {
            throw new ConfigValueException(e instanceof JsonMappingException m ? field(m) : "body",
                    e.getOriginalMessage());
        }
    }

    private static String field(JsonMappingException e) {
        return e.getPath().isEmpty() || e.getPath().get(0).getFieldName() == null ? "body"
                : e.getPath().get(0).getFieldName();
    }

    /**
     * The id of a cgroup v2 path (the inode number of its directory), as bpf_get_current_cgroup_id()
     * reports it; throws naming the field when there is no such cgroup.
     */
    public static long cgroupId(String field, String path) {
        Path mount = io.sonde.agent.enrich.Cgroup2Mount.find().orElseThrow(() -> new ConfigValueException(field,
                "no cgroup v2 file system is mounted"));
        Path dir = path.equals("/") ? mount : mount.resolve(path.substring(1));
        try {
            if (!dir.normalize().startsWith(mount) || !Files.isDirectory(dir)) {
                throw new ConfigValueException(field, "no such cgroup: " + path);
            }
            return (Long) Files.getAttribute(dir, "unix:ino");
        } catch (java.io.IOException e) {
            throw new ConfigValueException(field, "cannot read cgroup " + path + ": " + e.getMessage());
        }
    }
}
