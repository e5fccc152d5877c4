package io.sonde.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main is the {@code sonde} command line: {@code sonde check}, and the agent once it exists.
 */
@Command(name = "sonde", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Sonde: an eBPF observability agent.",
        subcommands = {AgentCommand.class, CheckCommand.class, TraceCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()); // usage errors exit 2 (picocli ExitCode.USAGE)
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sonde " + (v == null ? "dev" : v)};
        }
    }
}
