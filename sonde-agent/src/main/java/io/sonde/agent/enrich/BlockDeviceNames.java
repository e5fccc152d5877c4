package io.sonde.agent.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * BlockDeviceNames names block devices by their kernel dev_t ({@code major << 20 | minor}) as the
 * kernel does ({@code vda}, {@code loop0}, {@code nvme0n1}): the {@code DEVNAME} of
 * {@code /sys/dev/block/<major>:<minor>/uevent}, cached per device until the device goes away.
 * A device without a name shows as {@code <major>:<minor>}.
 *
 * <pre>{@code
 * BlockDeviceNames names = new BlockDeviceNames();
 * String disk = names.name((7 << 20) | 0);   // "loop0"
 * }</pre>
 */
public final class BlockDeviceNames {
    private final Path sysDevBlock;
    private final Map<Integer, String> cache = new HashMap<>();

    /** Names from the running kernel's /sys/dev/block. */
    public BlockDeviceNames() {
        this(Path.of("/sys/dev/block"));
    }

    /** Names from another directory laid out as /sys/dev/block (for tests). */
    public BlockDeviceNames(Path sysDevBlock) {
        this.sysDevBlock = sysDevBlock;
    }

    /** The major number of a kernel dev_t. */
    public static int major(int dev) {
        return dev >>> 20;
    }

    /** The minor number of a kernel dev_t. */
    public static int minor(int dev) {
        return dev & 0xfffff;
    }

    /** The device's name, read once and then cached. */
    public synchronized String name(int dev) {
        String name = cache.get(dev);
        if (name == null) {
            name = read(dev);
            if (name == null) {
                return major(dev) + ":" + minor(dev);
            }
            cache.put(dev, name);
        }
        return name;
    }

    /** Whether the device still exists; forgets the cached name of one that does not. */
    public synchronized boolean exists(int dev) {
        boolean present = Files.exists(sysDevBlock.resolve(major(dev) + ":" + minor(dev)));
        if (!present) {
            cache.remove(dev);
        }
        return present;
    }

    private String read(int dev) {
        try {
            Path uevent = sysDevBlock.resolve(major(dev) + ":" + minor(dev)).resolve("uevent");
            for (String line : Files.readAllLines(uevent)) {
                if (line.startsWith("DEVNAME=")) {
                    return line.substring("DEVNAME=".length());
                }
            }
        } catch (IOException e) {
            // gone or unreadable: the caller shows the numbers, and asks again next time
        }
        return null;
    }
}
