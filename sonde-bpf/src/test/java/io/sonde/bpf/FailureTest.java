package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad objects, rejected programs and wrong names give clear errors and never crash the process. */
class FailureTest {
    @BeforeAll
    static void kernel() {
        KernelTests.requireBpf();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FailureTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void verifierRejectionCarriesTheReason() {
        try (BpfObject obj = BpfObject.openResource(FailureTest.class, "/bpf/broken.bpf.o")) {
            BpfException e = assertThrows(BpfException.class, obj::load);
            assertEquals("load", e.operation());
            assertEquals("broken", e.objectName());
            assertEquals("unchecked", e.programName());
            assertEquals("EACCES", e.errnoName());
            assertNotNull(e.verifierLog());
            assertTrue(e.verifierLog().contains("invalid mem access"), e.verifierLog());
            assertTrue(e.getMessage().contains("invalid mem access"), e.getMessage());
            assertTrue(e.getMessage().contains("program=unchecked"), e.getMessage());
        }
    }

    @Test
    void theRestOfAnObjectLoadsWithoutTheRejectedProgram() {
        try (BpfObject obj = BpfObject.openResource(FailureTest.class, "/bpf/broken.bpf.o")) {
            obj.program("unchecked").setAutoload(false);
            obj.load();
            assertTrue(obj.program("fine").fd() > 0);
        }
    }

    @Test
    void truncatedElfIsRefusedClearly() throws IOException {
        byte[] elf = resource("/bpf/counters.bpf.o");
        for (int length : new int[] {0, 10, 63, 64, 200, elf.length / 2, elf.length - 1}) {
            byte[] cut = Arrays.copyOf(elf, length);
            BpfException e = assertThrows(BpfException.class, () -> BpfObject.openBytes("cut", cut).close(),
                    "length " + length);
            assertEquals("open", e.operation());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("too short")
                    || e.getMessage().contains("not an ELF"), e.getMessage());
        }
    }

    @Test
    void corruptElfIsRefusedClearly() throws IOException {
        byte[] elf = resource("/bpf/counters.bpf.o");
        byte[] badMagic = elf.clone();
        badMagic[1] = 'X';
        assertTrue(assertThrows(BpfException.class, () -> BpfObject.openBytes("m", badMagic))
                .getMessage().contains("not an ELF"));
        byte[] badMachine = elf.clone();
        badMachine[18] = 62; // EM_X86_64
        assertTrue(assertThrows(BpfException.class, () -> BpfObject.openBytes("x", badMachine))
                .getMessage().contains("not BPF"));
        byte[] badSections = elf.clone();
        badSections[40] = (byte) 0xff; // section header offset past the end
        badSections[45] = 0x7f;
        assertTrue(assertThrows(BpfException.class, () -> BpfObject.openBytes("s", badSections))
                .getMessage().contains("outside the file"));
        byte[] native64 = Files.readAllBytes(Path.of("/bin/true"));
        assertTrue(assertThrows(BpfException.class, () -> BpfObject.openBytes("true", native64))
                .getMessage().contains("not BPF"));
    }

    @Test
    void missingFilesAndNamesAreNamed() {
        BpfException file = assertThrows(BpfException.class, () -> BpfObject.open(Path.of("/nonexistent/x.bpf.o")));
        assertTrue(file.getMessage().contains("/nonexistent/x.bpf.o"));
        assertEquals("ENOENT", file.errnoName());
        assertThrows(BpfException.class, () -> BpfObject.openResource("/bpf/nothing.bpf.o"));
        try (BpfObject obj = BpfObject.openResource(FailureTest.class, "/bpf/counters.bpf.o")) {
            BpfException prog = assertThrows(BpfException.class, () -> obj.program("nope"));
            assertTrue(prog.getMessage().contains("count_tp"), "lists the programs: " + prog.getMessage());
            BpfException map = assertThrows(BpfException.class, () -> obj.map("nope"));
            assertTrue(map.getMessage().contains("counts"), map.getMessage());
            BpfException global = assertThrows(BpfException.class, () -> obj.setGlobal("nope", 1));
            assertTrue(global.getMessage().contains("target_tid"), global.getMessage());
            BpfException size = assertThrows(BpfException.class, () -> obj.setGlobal("target_tid", new byte[8]));
            assertTrue(size.getMessage().contains("4 bytes"), size.getMessage());
            BpfException early = assertThrows(BpfException.class, () -> obj.program("count_tp").attach());
            assertTrue(early.getMessage().contains("load()"), early.getMessage());
        }
    }

    @Test
    void rodataIsFrozenAfterLoad() {
        try (BpfObject obj = BpfObject.openResource(FailureTest.class, "/bpf/counters.bpf.o")) {
            obj.setGlobal("target_tid", 42);
            for (Program p : obj.programs()) {
                p.setAutoload(p.name().equals("count_tp"));
            }
            obj.load();
            assertEquals(42, obj.global("target_tid"));
            BpfException e = assertThrows(BpfException.class, () -> obj.setGlobal("target_tid", 7));
            assertTrue(e.getMessage().contains("before load"), e.getMessage());
            assertThrows(BpfException.class, () -> obj.program("count_tp").setAutoload(false));
        }
    }

    @Test
    void missingTracepointIsNamed() {
        try (BpfObject obj = BpfObject.openResource(FailureTest.class, "/bpf/counters.bpf.o")) {
            for (Program p : obj.programs()) {
                p.setAutoload(p.name().equals("count_tp"));
            }
            obj.load();
            BpfException e = assertThrows(BpfException.class,
                    () -> obj.program("count_tp").attachTracepoint("syscalls", "sys_enter_no_such_call"));
            assertTrue(e.getMessage().contains("syscalls/sys_enter_no_such_call"), e.getMessage());
            assertEquals("ENOENT", e.errnoName());
            BpfException raw = assertThrows(BpfException.class,
                    () -> obj.program("count_tp").attachRawTracepoint("no_such_raw_tp"));
            assertTrue(raw.getMessage().contains("no_such_raw_tp"), raw.getMessage());
        }
    }
}
