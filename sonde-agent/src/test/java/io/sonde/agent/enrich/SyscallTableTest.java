package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class SyscallTableTest {
    private static final String ARCH = SyscallTable.kernelArch(System.getProperty("os.arch"));

    @Test
    void theBuildGeneratedTheTableOfThisArchitecture() {
        SyscallTable table = SyscallTable.load();
        assertEquals(ARCH, table.arch());
        assertTrue(table.size() > 300, "the full kernel table, not a subset: " + table.size());
    }

    @Test
    void x86_64Numbers() {
        assumeTrue(ARCH.equals("x86_64"), "the numbers below are x86_64's; this is " + ARCH);
        SyscallTable table = SyscallTable.load();
        assertEquals("read", table.name(0));
        assertEquals("write", table.name(1));
        assertEquals("getppid", table.name(110));
        assertEquals("openat", table.name(257));
        assertEquals("clone3", table.name(435));
        assertEquals(OptionalInt.of(257), table.number("openat"));
    }

    @Test
    void genericNumbersOfArm64AndRiscV() {
        assumeTrue(ARCH.equals("aarch64") || ARCH.equals("riscv64"), "asm-generic numbering; this is " + ARCH);
        SyscallTable table = SyscallTable.load();
        assertEquals("openat", table.name(56));
        assertEquals("read", table.name(63));
        assertEquals("clone3", table.name(435));
    }

    @Test
    void unknownNumbersAreNamedByNumber() {
        SyscallTable table = SyscallTable.load();
        assertEquals("syscall_99999", table.name(99_999));
        assertEquals("syscall_-1", table.name(-1));
        assertEquals(OptionalInt.empty(), table.number("no_such_call"));
    }

    @Test
    void aMissingArchitectureGivesAnEmptyTable() {
        SyscallTable table = SyscallTable.load("vax");
        assertEquals(0, table.size());
        assertEquals("syscall_3", table.name(3));
    }

    @Test
    void parseReadsTheGeneratedFormat() {
        SyscallTable t = SyscallTable.parse("test", List.of("# a comment", "", "0 read", "63 read2", "  7   poll  "));
        assertEquals(3, t.size());
        assertEquals("poll", t.name(7));
        assertEquals("syscall_5", t.name(5));
        assertEquals(OptionalInt.of(63), t.number("read2"));
        assertThrows(IllegalArgumentException.class, () -> SyscallTable.parse("test", List.of("__NR_read 0")));
        assertThrows(IllegalArgumentException.class, () -> SyscallTable.parse("test", List.of("x read")));
        assertThrows(IllegalArgumentException.class, () -> SyscallTable.parse("test", List.of("-1 read")));
    }

    @Test
    void javaAndKernelArchitectureNames() {
        assertEquals("x86_64", SyscallTable.kernelArch("amd64"));
        assertEquals("aarch64", SyscallTable.kernelArch("aarch64"));
        assertEquals("riscv64", SyscallTable.kernelArch("riscv64"));
    }
}
