package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.probe.FileOpenEvent;
import io.sonde.agent.probe.Probe;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A burst of file-open events far beyond what the files probe's ring holds (a 4 KiB ring: 13 records;
 * 200,000 opens): every open the workload made is either received by the subscriber or counted lost
 * by the kernel side, exactly. The in-kernel cgroup filter keeps everyone else's opens out of both
 * counts; the kernel's own per-cgroup open counter confirms the number produced.
 */
class EventFloodTest {
    private static final int OPENS = 200_000;

    @Test
    void producedEqualsReceivedPlusLost() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        String label = KernelHost.label(cgroup);
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("files"), null, null,
                new AgentConfig.Files(true, null, null, label, null, null, 4096)), null, null);
        try (AgentHarness agent = AgentHarness.start(config);
                EventBus.Subscription sub = agent.agent().events().subscribe("test", OPENS + 1,
                        e -> e instanceof FileOpenEvent)) {
            Probe files = agent.agent().supervisor().running("files");
            assertEquals(0, files.eventsLost());
            AgentHarness.runWorkload(cgroup, () -> {}, "run", Integer.toString(OPENS), "0", "0", "0", "0");
            long received = 0;
            long lost = 0;
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
                EnrichedEvent e = sub.poll(100, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                quietSince = System.nanoTime();
                assertEquals(label, e.event().cgroup(), "the kernel filter passes only the test cgroup");
                received++;
            }
            lost = files.eventsLost();
            String text = agent.scrape();
            System.out.printf("flood: produced=%d received=%d lost=%d%n", OPENS, received, lost);
            assertEquals(OPENS, value(text, "sonde_file_opens_total", "cgroup", label), "the kernel counted them all");
            assertEquals(OPENS, received + lost, "produced = received + lost (received " + received + ", lost "
                    + lost + ")");
            assertTrue(lost > 0, "the burst overflowed the ring");
            assertTrue(received > 0, "the consumer kept up with some of it");
            assertEquals(0, sub.dropped(), "the subscriber's queue never overflowed");
            assertEquals(lost, value(text, "sonde_events_lost_total", "probe", "files"));
            assertEquals(received, value(text, "sonde_events_total", "probe", "files", "type", "open"));
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }
}
