package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessResolverTest {
    @TempDir
    Path proc;

    private final AtomicLong now = new AtomicLong();

    private ProcessResolver resolver(int capacity) {
        return new ProcessResolver(proc, capacity, Duration.ofSeconds(10), now::get);
    }

    private void process(int pid, String comm, String exe) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.deleteIfExists(dir.resolve("exe"));
        if (exe != null) {
            Files.createSymbolicLink(dir.resolve("exe"), Path.of(exe));
        }
    }

    @Test
    void readsCommAndExecutable() throws IOException {
        process(42, "nginx", "/usr/sbin/nginx");
        assertEquals(Optional.of(new ProcessInfo(42, "nginx", "/usr/sbin/nginx")), resolver(10).lookup(42));
    }

    @Test
    void kernelThreadsHaveNoExecutable() throws IOException {
        process(2, "kthreadd", null);
        ProcessInfo p = resolver(10).lookup(2).orElseThrow();
        assertEquals("kthreadd", p.comm());
        assertTrue(p.hasNoExecutable());
    }

    @Test
    void aPidWithoutProcessIsEmptyAndNotCached() throws IOException {
        ProcessResolver r = resolver(10);
        assertEquals(Optional.empty(), r.lookup(7));
        assertEquals(Optional.empty(), r.lookup(0));
        assertEquals(Optional.empty(), r.lookup(-3));
        assertEquals(0, r.size());
        process(7, "late", "/bin/late");
        assertEquals("late", r.lookup(7).orElseThrow().comm());
    }

    @Test
    void entriesExpireAfterTheirTimeToLive() throws IOException {
        ProcessResolver r = resolver(10);
        process(100, "bash", "/usr/bin/bash");
        assertEquals("bash", r.lookup(100).orElseThrow().comm());
        process(100, "python3", "/usr/bin/python3.13"); // exec, or the pid reused
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals("bash", r.lookup(100).orElseThrow().comm(), "fresh entries come from the cache");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(new ProcessInfo(100, "python3", "/usr/bin/python3.13"), r.lookup(100).orElseThrow());
    }

    @Test
    void forgetDropsAnEntryAtOnce() throws IOException {
        ProcessResolver r = resolver(10);
        process(100, "bash", "/usr/bin/bash");
        r.lookup(100);
        process(100, "make", "/usr/bin/make");
        r.forget(100);
        assertEquals("make", r.lookup(100).orElseThrow().comm());
    }

    @Test
    void anExpiredEntryOfAnExitedProcessIsDropped() throws IOException {
        ProcessResolver r = resolver(10);
        process(100, "bash", "/usr/bin/bash");
        r.lookup(100);
        Files.delete(proc.resolve("100/comm"));
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals(Optional.empty(), r.lookup(100));
        assertEquals(0, r.size());
    }

    @Test
    void theCacheIsBounded() throws IOException {
        ProcessResolver r = resolver(3);
        for (int pid = 1; pid <= 10; pid++) {
            process(pid, "p" + pid, "/bin/p" + pid);
            assertEquals("p" + pid, r.lookup(pid).orElseThrow().comm());
        }
        assertEquals(3, r.size());
    }

    @Test
    void commKeepsItsOwnSpacesAndOddBytes() throws IOException {
        Path dir = Files.createDirectories(proc.resolve("5"));
        Files.write(dir.resolve("comm"), new byte[] {'a', ' ', (byte) 0xff, ' ', '\n'});
        assertEquals("a \uFFFD ", resolver(10).lookup(5).orElseThrow().comm());
    }

    @Test
    void thisJvmOnTheRealProc() {
        int pid = (int) ProcessHandle.current().pid();
        ProcessInfo self = new ProcessResolver().lookup(pid).orElseThrow();
        assertEquals(pid, self.pid());
        assertTrue(self.executable().endsWith("/bin/java"), self.executable());
        assertTrue(!self.comm().isEmpty() && self.comm().length() <= 15, self.comm());
    }
}
