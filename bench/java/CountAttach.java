// Loads bench/bpf/count.bpf.o with one counting program, attaches it, writes READY_FILE, and holds
// the attachment until SIGTERM; then prints count=<sum of the per-CPU counter> and detaches.
//
// Usage: CountAttach OBJECT PROGRAM SYSCALL_NR READY_FILE

import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;
import io.sonde.bpf.Program;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

public final class CountAttach {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: CountAttach OBJECT PROGRAM SYSCALL_NR READY_FILE");
            System.exit(2);
        }
        BpfObject obj = BpfObject.open(Path.of(args[0]));
        for (Program p : obj.programs()) {
            p.setAutoload(p.name().equals(args[1]));
        }
        obj.setGlobal("target_nr", Long.parseLong(args[2]));
        obj.load();
        Link link = obj.program(args[1]).attach();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("count=" + obj.map("counts").sumLong(0));
            System.out.flush();
            link.close();
            obj.close();
            finished.countDown();
        }));
        Files.writeString(Path.of(args[3]), "attached " + args[1] + "\n");
        finished.await();
    }
}
