package io.sonde.agent.enrich;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * CgroupTree reads a cgroup v2 hierarchy: every directory with its inode number, which is the id
 * {@code bpf_get_current_cgroup_id()} returns for the cgroup (kernfs hands out 64-bit ids that are
 * never reused, and the inode number of a cgroup directory is that id).
 *
 * <p>Every entry costs one stat: Java does not expose the directory entry's type, so one read of
 * the unix attributes tells both whether the entry is a directory and its inode. Cgroups that
 * vanish while the walk runs are skipped, not errors; other errors mark the walk incomplete.
 */
final class CgroupTree {
    private static final boolean UNIX_VIEW = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private CgroupTree() {}

    /**
     * The cgroups of one walk, id to path relative to the mount ("/" for the mount itself).
     * Complete is false when some directory could not be read for another reason than its removal:
     * then a cgroup missing from the walk may still exist.
     */
    record Scan(Map<Long, String> cgroups, boolean complete) {}

    /** Walks the hierarchy mounted at mount. */
    static Scan scan(Path mount) {
        Map<Long, String> found = new HashMap<>();
        long rootId = directoryInode(mount);
        if (rootId < 0) {
            return new Scan(found, false);
        }
        found.put(rootId, "/");
        boolean complete = true;
        Deque<Path> dirs = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        dirs.push(mount);
        names.push("");
        while (!dirs.isEmpty()) {
            Path dir = dirs.pop();
            String rel = names.pop();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    long id = directoryInode(entry);
                    if (id >= 0) {
                        String path = rel + "/" + entry.getFileName();
                        found.put(id, path);
                        dirs.push(entry);
                        names.push(path);
                    }
                }
            } catch (NoSuchFileException e) {
                // the cgroup was removed while we walked: what was below it is gone too
            } catch (IOException | DirectoryIteratorException e) {
                complete = false;
            }
        }
        return new Scan(found, complete);
    }

    /**
     * The inode number of a directory, or -1 when path is no directory or cannot be read (-1 is no
     * cgroup id: that would take the 2^32-1st generation of the 2^32-1st inode).
     */
    static long directoryInode(Path path) {
        try {
            if (UNIX_VIEW) {
                Map<String, Object> a = Files.readAttributes(path, "unix:isDirectory,ino", NOFOLLOW);
                return Boolean.TRUE.equals(a.get("isDirectory")) ? (Long) a.get("ino") : -1;
            }
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
            return a.isDirectory() ? inodeFromFileKey(String.valueOf(a.fileKey())) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The JDK on Unix prints a file key as "(dev=1a,ino=1234)". */
    static long inodeFromFileKey(String key) {
        int at = key.indexOf("ino=");
        if (at < 0) {
            return -1;
        }
        int end = at + 4;
        while (end < key.length() && Character.isDigit(key.charAt(end))) {
            end++;
        }
        return end > at + 4 ? Long.parseUnsignedLong(key.substring(at + 4, end)) : -1;
    }
}
