package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockDeviceNamesTest {
    @Test
    void namesComeFromUeventAndGoWithTheDevice(@TempDir Path sys) throws Exception {
        Path vda = Files.createDirectories(sys.resolve("254:0"));
        Files.writeString(vda.resolve("uevent"), "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n");
        BlockDeviceNames names = new BlockDeviceNames(sys);
        int dev = (254 << 20) | 0;
        assertEquals(254, BlockDeviceNames.major(dev));
        assertEquals(0, BlockDeviceNames.minor(dev));
        assertEquals("vda", names.name(dev));
        assertTrue(names.exists(dev));
        assertEquals("7:3", names.name((7 << 20) | 3), "a device without a uevent shows its numbers");

        Files.writeString(vda.resolve("uevent"), "DEVNAME=vdb\n");
        assertEquals("vda", names.name(dev), "cached");
        Files.delete(vda.resolve("uevent"));
        Files.delete(vda);
        assertFalse(names.exists(dev));
        Files.createDirectories(vda);
        Files.writeString(vda.resolve("uevent"), "DEVNAME=vdb\n");
        assertEquals("vdb", names.name(dev), "read again after the device went away");
    }
}
