package io.sonde.agent.cli;

import java.lang.reflect.Proxy;

/**
 * HangupSignal runs an action on each SIGHUP (the conventional "reread your configuration"), through
 * the JDK's {@code sun.misc.Signal} in module jdk.unsupported. It is reached by reflection because
 * javac's warning for that API cannot be suppressed under {@code -Werror}. Installing it also keeps a
 * SIGHUP from ending the JVM, which is the signal's default action.
 *
 * <pre>{@code
 * HangupSignal.onHangup(() -> agent.reload(ConfigLoader.load(file)));
 * }</pre>
 */
final class HangupSignal {
    private HangupSignal() {}

    /** Calls the action on its own thread at each SIGHUP; throws IllegalStateException when the JVM cannot. */
    static void onHangup(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            Object proxy = Proxy.newProxyInstance(HangupSignal.class.getClassLoader(), new Class<?>[] {handler},
                    (self, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(self);
                            case "equals" -> self == args[0];
                            default -> "HangupSignal";
                        };
                    });
            signal.getMethod("handle", signal, handler).invoke(null, hup, proxy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot handle SIGHUP: " + e, e);
        }
    }
}
