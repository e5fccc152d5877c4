// Loads a syscalls-probe object (bench/bpf/sysvar.bpf.o, or the agent's own syscalls.bpf.o) as the
// agent's SyscallsProbe does (open, resize syscall_counts and syscall_errors to max_entries, load,
// attach), with only the named programs loaded and attached; writes READY_FILE and holds the
// attachments until SIGTERM; then prints count=<calls of syscall SYSCALL_NR counted in syscall_counts,
// summed over cgroups and CPUs> and detaches.
//
// Usage: SyscallsAttach OBJECT SYSCALL_NR READY_FILE PROGRAM...

import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;
import io.sonde.bpf.Program;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

public final class SyscallsAttach {
    private static final int MAX_ENTRIES = 16384; // the agent's default probes.syscalls.max_entries

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: SyscallsAttach OBJECT SYSCALL_NR READY_FILE PROGRAM...");
            System.exit(2);
        }
        int nr = Integer.parseInt(args[1]);
        List<String> names = List.of(args).subList(3, args.length);
        BpfObject obj = BpfObject.open(Path.of(args[0]));
        for (Program p : obj.programs()) {
            p.setAutoload(names.contains(p.name()));
        }
        obj.map("syscall_counts").resize(MAX_ENTRIES);
        obj.map("syscall_errors").resize(MAX_ENTRIES);
        obj.load();
        List<Link> links = new ArrayList<>();
        for (String name : names) {
            links.add(obj.program(name).attach());
        }
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            BpfMap counts = obj.map("syscall_counts");
            long count = 0;
            for (BpfMap.Entry e : counts.entries()) {
                if (ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder()).getInt(8) == nr) {
                    count += counts.sumPerCpu(e.value(), 0);
                }
            }
            System.out.println("count=" + count);
            System.out.flush();
            links.forEach(Link::close);
            obj.close();
            finished.countDown();
        }));
        Files.writeString(Path.of(args[2]), "attached " + String.join(" ", names) + "\n");
        finished.await();
    }
}
