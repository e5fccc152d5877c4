package io.sonde.agent.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sonde.agent.check.CheckReport;
import io.sonde.agent.check.KernelCheck;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * CheckCommand ({@code sonde check}) prints what this kernel offers to Sonde: the host, every program
 * and map type tried for real, and which built-in probes can run. It exits 0 when the core needs are
 * met, 1 when they are not (or the check cannot run: not root, no libbpf).
 */
@Command(name = "check", description = "Print what this kernel offers and which probes can run.")
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        CheckReport report = KernelCheck.run();
        PrintWriter out = spec.commandLine().getOut();
        if (report.problem() != null) {
            spec.commandLine().getErr().println(report.problem());
            spec.commandLine().getErr().flush();
        }
        if (json) {
            out.println(mapper().writeValueAsString(report));
        } else if (report.problem() == null) {
            out.print(CheckText.format(report));
        }
        out.flush();
        return report.ready() ? 0 : 1;
    }

    /** The JSON form of a report: absent values are left out. */
    static ObjectMapper mapper() {
        return new ObjectMapper()
                .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, null))
                .enable(SerializationFeature.INDENT_OUTPUT);
    }
}
