package io.sonde.bpf.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ElfCheck validates the structure of a BPF ELF object before libbpf parses it, so that a truncated
 * or corrupt file gets a clear message instead of reaching C code that trusts its offsets.
 */
public final class ElfCheck {
    private ElfCheck() {}

    private static final int EM_BPF = 247;
    private static final int SHT_NOBITS = 8;

    /** Returns null when the ELF is sound, or what is wrong with it. */
    public static String problem(byte[] elf) {
        if (elf.length < 64) {
            return "file too short for an ELF header (" + elf.length + " bytes)";
        }
        if (elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            return "not an ELF file (bad magic)";
        }
        if (elf[4] != 2) {
            return "not a 64-bit ELF (class " + elf[4] + ")";
        }
        ByteOrder order = elf[5] == 1 ? ByteOrder.LITTLE_ENDIAN : elf[5] == 2 ? ByteOrder.BIG_ENDIAN : null;
        if (order == null) {
            return "unknown ELF byte order " + elf[5];
        }
        if (order != ByteOrder.nativeOrder()) {
            return "ELF byte order " + order + " does not match this machine's " + ByteOrder.nativeOrder();
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(order);
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_BPF) {
            return "ELF machine " + machine + " is not BPF (" + EM_BPF + "): compile with clang -target bpf";
        }
        long shoff = b.getLong(40);
        int shentsize = Short.toUnsignedInt(b.getShort(58));
        int shnum = Short.toUnsignedInt(b.getShort(60));
        int shstrndx = Short.toUnsignedInt(b.getShort(62));
        if (shentsize != 64) {
            return "section header size " + shentsize + " is not 64";
        }
        if (shoff <= 0 || shnum == 0 || shoff + (long) shnum * shentsize > elf.length) {
            return "section headers (" + shnum + " at offset " + shoff + ") lie outside the file of " + elf.length
                    + " bytes: truncated or corrupt";
        }
        if (shstrndx >= shnum) {
            return "section name table index " + shstrndx + " is out of range (" + shnum + " sections)";
        }
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            int type = b.getInt(h + 4);
            long offset = b.getLong(h + 24);
            long size = b.getLong(h + 32);
            if (type != SHT_NOBITS && type != 0 && (offset < 0 || size < 0 || offset + size > elf.length)) {
                return "section " + i + " (" + size + " bytes at offset " + offset + ") lies outside the file of "
                        + elf.length + " bytes: truncated or corrupt";
            }
        }
        return null;
    }
}
