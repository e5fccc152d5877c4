package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs build/syscall-table.sh, the generator of the tables SyscallTable loads, on header trees it builds. */
class SyscallTableScriptTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String stderr) {}

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("build/syscall-table.sh");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        throw new AssertionError("build/syscall-table.sh not found above " + Path.of("").toAbsolutePath());
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), stderr);
    }

    @Test
    void missingHeadersNameThePackage() throws Exception {
        Run r = run(tmp.resolve("no-include").toString(), tmp.resolve("out/{arch}.txt").toString(), "x86_64");
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("linux-libc-dev"), r.stderr());
        assertTrue(Files.notExists(tmp.resolve("out/x86_64.txt")));
    }

    @Test
    void theFlatX86HeaderGivesTheTableInTheJar() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")), "no x86_64 headers here");
        Run r = run("/usr/include", tmp.resolve("{arch}.txt").toString(), "x86_64");
        assertEquals(0, r.exit(), r.stderr());
        SyscallTable t = SyscallTable.parse("x86_64", Files.readAllLines(tmp.resolve("x86_64.txt")));
        assertEquals("openat", t.name(257));
        assertTrue(t.size() > 300);
    }

    @Test
    void theGenericHeaderIsEvaluatedWithItsAliases() throws Exception {
        // an arm64-like include root: asm/unistd.h sets the arch's wishes and includes asm-generic/unistd.h
        assumeTrue(Files.isReadable(Path.of("/usr/include/asm-generic/unistd.h")), "no asm-generic headers here");
        Path inc = tmp.resolve("include");
        Path asm = Files.createDirectories(inc.resolve("aarch64-linux-gnu/asm"));
        Files.createSymbolicLink(inc.resolve("asm-generic"), Path.of("/usr/include/asm-generic"));
        Files.createSymbolicLink(inc.resolve("linux"), Path.of("/usr/include/linux"));
        Files.writeString(asm.resolve("bitsperlong.h"), "#define __BITS_PER_LONG 64\n#include <asm-generic/bitsperlong.h>\n");
        Files.writeString(asm.resolve("unistd.h"), """
                #define __ARCH_WANT_RENAMEAT
                #define __ARCH_WANT_NEW_STAT
                #define __ARCH_WANT_SET_GET_RLIMIT
                #define __ARCH_WANT_TIME32_SYSCALLS
                #define __ARCH_WANT_SYS_CLONE3
                #include <asm-generic/unistd.h>
                """);
        Run r = run(inc.toString(), tmp.resolve("{arch}.txt").toString(), "aarch64");
        assumeTrue(!r.stderr().contains("needs a C preprocessor"), r.stderr());
        assertEquals(0, r.exit(), r.stderr());
        SyscallTable t = SyscallTable.parse("aarch64", Files.readAllLines(tmp.resolve("aarch64.txt")));
        assertEquals("read", t.name(63));
        assertEquals("openat", t.name(56));
        assertEquals("fcntl", t.name(25), "__NR_fcntl is __NR3264_fcntl");
        assertEquals("renameat", t.name(38), "an __ARCH_WANT_ call");
        assertEquals("clone3", t.name(435));
        assertTrue(t.size() > 280, "size " + t.size());
    }
}
