package io.sonde.agent.cli;

import java.lang.reflect.Proxy;

/**
 * Signals runs an action on each arrival of a signal, in place of the signal's default action: SIGHUP
 * (the conventional "reread your configuration", whose default would end the JVM), SIGTERM and SIGINT.
 * It goes through the JDK's {@code sun.misc.Signal} in module jdk.unsupported, reached by reflection
 * because javac's warning for that API cannot be suppressed under {@code -Werror}.
 *
 * <pre>{@code
 * Signals.on("HUP", () -> agent.reload(ConfigLoader.load(file)));
 * Signals.on("TERM", () -> System.exit(0));
 * }</pre>
 */
final class Signals {
    private Signals() {}

    /**
     * Calls the action on its own thread each time the signal ("HUP", "TERM", "INT") arrives; throws
     * IllegalStateException when the JVM cannot.
     */
    static void on(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    (self, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(self);
                            case "equals" -> self == args[0];
                            default -> "Signals(" + name + ")";
                        };
                    });
            signal.getMethod("handle", signal, handler).invoke(null, sig, proxy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + e, e);
        }
    }
}
