package io.sonde.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exposition reads values out of Prometheus text: the sum over every series of a name whose labels
 * include the given ones.
 */
public final class Exposition {
    private Exposition() {}

    /** Sums the series of {@code name} whose labels contain every pair in {@code labels} (k1, v1, k2, v2...). */
    public static double value(String text, String name, String... labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String series = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
            if (!series.equals(name)) {
                continue;
            }
            Map<String, String> have = brace < 0 ? Map.of() : parse(line.substring(brace + 1, line.lastIndexOf('}')));
            boolean match = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (!labels[i + 1].equals(have.get(labels[i]))) {
                    match = false;
                    break;
                }
            }
            if (match) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    static Map<String, String> parse(String inner) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < inner.length()) {
            int eq = inner.indexOf('=', i);
            String key = inner.substring(i, eq).strip();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (inner.charAt(j) != '"') {
                if (inner.charAt(j) == '\\') {
                    j++;
                }
                value.append(inner.charAt(j));
                j++;
            }
            out.put(key, value.toString());
            i = j + 1;
            if (i < inner.length() && inner.charAt(i) == ',') {
                i++;
            }
        }
        return out;
    }
}
