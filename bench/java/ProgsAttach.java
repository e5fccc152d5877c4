// Loads a BPF object through sonde-bpf with only the named programs loaded, attaches them, writes
// READY_FILE and holds the attachments until SIGTERM; then detaches and prints "detached".
//
// Usage: ProgsAttach OBJECT READY_FILE PROGRAM...

import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;
import io.sonde.bpf.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

public final class ProgsAttach {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ProgsAttach OBJECT READY_FILE PROGRAM...");
            System.exit(2);
        }
        List<String> names = List.of(args).subList(2, args.length);
        BpfObject obj = BpfObject.open(Path.of(args[0]));
        for (Program p : obj.programs()) {
            p.setAutoload(names.contains(p.name()));
        }
        obj.load();
        List<Link> links = new ArrayList<>();
        for (String name : names) {
            links.add(obj.program(name).attach());
        }
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            links.forEach(Link::close);
            obj.close();
            System.out.println("detached");
            System.out.flush();
            finished.countDown();
        }));
        Files.writeString(Path.of(args[1]), "attached " + String.join(" ", names) + "\n");
        finished.await();
    }
}
