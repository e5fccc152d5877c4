package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pieces of the human layout that need no kernel. */
class CheckTextTest {
    @Test
    void cpuListFoldsRanges() {
        assertEquals("0-3,6,8-9", CheckText.cpuList(List.of(0, 1, 2, 3, 6, 8, 9)));
        assertEquals("0", CheckText.cpuList(List.of(0)));
        assertEquals("", CheckText.cpuList(List.of()));
    }
}
