package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void namesCommonErrors() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("EINTR", Errno.name(4));
        assertEquals("EAGAIN", Errno.name(11));
        assertEquals("EACCES", Errno.name(13));
        assertEquals("EEXIST", Errno.name(17));
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("ENOSYS", Errno.name(38));
        assertEquals("ECONNREFUSED", Errno.name(111));
    }

    @Test
    void aNegativeNumberIsASyscallReturnValue() {
        assertEquals("ENOENT", Errno.name(-2));
        assertEquals("errno_-2147483648", Errno.name(Integer.MIN_VALUE));
    }

    @Test
    void kernelInternalCodesThatSysExitShows() {
        assertEquals("ERESTARTSYS", Errno.name(512));
        assertEquals("ERESTART_RESTARTBLOCK", Errno.name(516));
        assertEquals("ENOTSUPP", Errno.name(524));
    }

    @Test
    void numbersWithoutNameAreNamedByNumber() {
        assertEquals("errno_0", Errno.name(0));
        assertEquals("errno_4000", Errno.name(4000));
        assertEquals("errno_70000", Errno.name(70000));
    }
}
