package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Enum values and functions read from the running kernel's BTF. */
class BtfTest {
    @Test
    void readsEnumValuesOfTheRunningKernel() {
        KernelTests.requireBpf();
        try (Btf btf = Btf.vmlinux()) {
            Map<Long, String> states = btf.enumValues("bpf_map_type");
            assertEquals("BPF_MAP_TYPE_HASH", states.get(1L));
            assertEquals("BPF_MAP_TYPE_RINGBUF", states.get(27L));
            Map<Long, String> reasons = btf.enumValues("skb_drop_reason");
            assertTrue(reasons.containsValue("SKB_DROP_REASON_NOT_SPECIFIED"), "drop reasons: " + reasons);
            assertTrue(btf.enumValues("no_such_enum_in_any_kernel").isEmpty());
        }
    }

    @Test
    void findsFunctionsOfTheRunningKernel() {
        KernelTests.requireBpf();
        try (Btf btf = Btf.vmlinux()) {
            assertTrue(btf.hasFunction("tcp_rcv_established"));
            assertFalse(btf.hasFunction("no_such_function_in_any_kernel"));
            assertFalse(btf.hasFunction("bpf_map_type"), "an enum is no function");
        }
    }

    @Test
    void closedBtfIsRefused() {
        KernelTests.requireBpf();
        Btf btf = Btf.vmlinux();
        btf.close();
        btf.close();
        assertThrows(IllegalStateException.class, () -> btf.enumValues("bpf_map_type"));
    }
}
