package io.sonde.agent.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * ConfigLoader reads the YAML configuration strictly: unknown keys, wrong types and impossible values
 * are refused with the file, line and key.
 *
 * <pre>{@code
 * AgentConfig config = ConfigLoader.load(Path.of("sonde.yaml"));
 * }</pre>
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** Reads and validates a configuration file. */
    public static AgentConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), 0, "", "no such file");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, "", "cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Validates configuration text; {@code name} is used in messages. */
    public static AgentConfig parse(String name, String text) throws ConfigException {
        if (text.isBlank()) {
            return AgentConfig.defaults();
        }
        try {
            AgentConfig config = MAPPER.readValue(text, AgentConfig.class);
            return config == null ? AgentConfig.defaults() : config;
        } catch (UnrecognizedPropertyException e) {
            String key = key(e, e.getPropertyName());
            throw new ConfigException(name, line(text, key, e.getLocation()), key, "unknown key; known here: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                            .collect(Collectors.joining(", ")));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigValueException v) {
                String key = key(e, v.key());
                throw new ConfigException(name, line(text, key, e.getLocation()), key, v.getMessage());
            }
            throw new ConfigException(name, line(e.getLocation()), key(e, null),
                    cause == null ? e.getOriginalMessage() : cause.getMessage());
        } catch (InvalidFormatException e) {
            throw new ConfigException(name, line(text, key(e, null), e.getLocation()), key(e, null),
                    "\"" + e.getValue() + "\" is not a valid " + simpleType(e.getTargetType()));
        } catch (MismatchedInputException e) {
            throw new ConfigException(name, line(text, key(e, null), e.getLocation()), key(e, null),
                    "expected " + simpleType(e.getTargetType()));
        } catch (JsonMappingException e) {
            throw new ConfigException(name, line(e.getLocation()), key(e, null), e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(name, line(e.getLocation()), "", "not valid YAML: " + e.getOriginalMessage());
        }
    }

    /** The line of the key in the text when it is there, else the parser's position. */
    private static int line(String text, String key, JsonLocation location) {
        int line = key.isEmpty() ? 0 : lineOf(text, key);
        return line > 0 ? line : line(location);
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : location.getLineNr();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "integer";
        }
        if (type == String.class) {
            return "string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "list";
        }
        if (type.isRecord()) {
            return "mapping (key: value)";
        }
        return type.getSimpleName();
    }

    /** The dotted path of the failing key, with YAML names (Jackson's path carries them). */
    private static String key(JsonMappingException e, String last) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                parts.add(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                parts.add("[" + ref.getIndex() + "]");
            }
        }
        if (last != null && (parts.isEmpty() || !parts.get(parts.size() - 1).equals(last))) {
            parts.add(last);
        }
        return String.join(".", parts).replace(".[", "[");
    }

    /** The line of a dotted key in the YAML text, or 0 when it is not there (a default value). */
    static int lineOf(String text, String dottedKey) {
        Node node;
        try {
            node = new Yaml().compose(new java.io.StringReader(text));
        } catch (RuntimeException e) {
            return 0;
        }
        int line = 0;
        for (String part : dottedKey.split("\\.")) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            if (!(node instanceof MappingNode mapping)) {
                return line;
            }
            Node next = null;
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name)) {
                    line = k.getStartMark().getLine() + 1;
                    next = t.getValueNode();
                }
            }
            // list items, as in targets[1]: the line where the item starts
            for (int at = bracket; next instanceof SequenceNode seq && at >= 0; at = part.indexOf('[', at + 1)) {
                int index = Integer.parseInt(part.substring(at + 1, part.indexOf(']', at)));
                if (index >= seq.getValue().size()) {
                    return line;
                }
                next = seq.getValue().get(index);
                line = next.getStartMark().getLine() + 1;
            }
            if (next == null) {
                return line;
            }
            node = next;
        }
        return line;
    }
}
