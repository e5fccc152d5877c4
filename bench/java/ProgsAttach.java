// Loads a BPF object through sonde-bpf with only the named programs loaded, attaches them, writes
// READY_FILE and holds the attachments until SIGTERM; then detaches and prints "detached".
// A program named PROGRAM@ingress:CGROUP_DIR or PROGRAM@egress:CGROUP_DIR is attached to that cgroup
// v2 directory (cgroup_skb); any other by its section.
//
// Usage: ProgsAttach OBJECT READY_FILE PROGRAM...

import io.sonde.bpf.AttachType;
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
        List<String> specs = List.of(args).subList(2, args.length);
        List<String> names = specs.stream().map(n -> n.split("@", 2)[0]).toList();
        BpfObject obj = BpfObject.open(Path.of(args[0]));
        for (Program p : obj.programs()) {
            p.setAutoload(names.contains(p.name()));
        }
        obj.load();
        List<Link> links = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split("@", 2);
            if (parts.length == 1) {
                links.add(obj.program(spec).attach());
            } else {
                String[] where = parts[1].split(":", 2);
                AttachType type = where[0].equals("ingress") ? AttachType.CGROUP_INET_INGRESS : AttachType.CGROUP_INET_EGRESS;
                links.add(obj.program(parts[0]).attachCgroup(Path.of(where[1]), type));
            }
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
