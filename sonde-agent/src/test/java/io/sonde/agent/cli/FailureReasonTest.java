package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sonde.agent.check.Feature;
import io.sonde.bpf.BpfException;

import org.junit.jupiter.api.Test;

/** How a failure reads in the check's output; needs no kernel. */
class FailureReasonTest {
    @Test
    void libbpfFirstWarningIsTheReason() {
        BpfException e = new BpfException("load", 1, "check", "check_fentry", "the kernel refused the object: "
                + "libbpf: prog 'check_fentry': BPF program load failed: Operation not permitted | libbpf: permission "
                + "error while running as root; try raising 'ulimit -l'?", null);
        Feature f = Feature.failed("fentry", "load failed", e);
        assertEquals("load failed: EPERM (BPF program load failed: Operation not permitted)", f.detail());
        assertEquals("EPERM", f.errno());
    }

    @Test
    void verifierVerdictBeatsLibbpf() {
        BpfException e = new BpfException("load", 13, "check", "bad", "the kernel refused the object: libbpf: x",
                "0: (79) r1 = *(u64 *)(r1 +0)\nR1 invalid mem access 'scalar'\nprocessed 2 insns (limit 1000000)\n");
        assertEquals("load failed: EACCES (verifier: R1 invalid mem access 'scalar')",
                Feature.failed("x", "load failed", e).detail());
    }

    @Test
    void plainDetailWithoutLibbpf() {
        BpfException e = new BpfException("attach_xdp", 16, "check", "check_xdp", "cannot attach xdp ifindex 1", null);
        assertEquals("attach failed: EBUSY (cannot attach xdp ifindex 1)", Feature.failed("xdp", "attach failed", e)
                .detail());
    }

    @Test
    void kernelInternalEnotsuppHasAName() {
        BpfException e = new BpfException("load", 524, "check", "p", "the kernel refused the object", null);
        assertEquals("ENOTSUPP", Feature.failed("p", "load failed", e).errno());
    }
}
