package io.sonde.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** CheckCommand prints what this kernel offers to Sonde. */
@Command(name = "check", description = "Print what this kernel offers and which probes can run.")
final class CheckCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("kernel " + io.sonde.bpf.Kernel.release());
        return 0;
    }
}
