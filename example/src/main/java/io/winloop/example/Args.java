package io.winloop.example;

import java.util.HashMap;
import java.util.Map;

/** The examples' command line: {@code --name value} pairs and {@code --flag}s, nothing more. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, String usage, String... flags) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ("-h".equals(a) || "--help".equals(a)) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!a.startsWith("--")) {
                throw usage(usage, "unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (contains(flags, name)) {
                values.put(name, "true");
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw usage(usage, "missing value for " + a);
            }
        }
    }

    private static boolean contains(String[] flags, String name) {
        for (String f : flags) {
            if (f.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static IllegalArgumentException usage(String usage, String message) {
        System.err.println(message);
        System.err.println(usage);
        System.exit(2);
        return new IllegalArgumentException(message);
    }

    String get(String name, String def) {
        String v = values.get(name);
        return v == null ? def : v;
    }

    int getInt(String name, int def) {
        String v = values.get(name);
        return v == null ? def : Integer.parseInt(v);
    }

    double getDouble(String name, double def) {
        String v = values.get(name);
        return v == null ? def : Double.parseDouble(v);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
