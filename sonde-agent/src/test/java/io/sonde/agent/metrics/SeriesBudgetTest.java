package io.sonde.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Label sets past the budget fold into "other", and each distinct folded set is counted once. */
class SeriesBudgetTest {
    @Test
    void foldsPastTheBudget() {
        SeriesBudget budget = new SeriesBudget(3, 60_000);
        CounterFamily f = new CounterFamily("sonde_x", "x", budget, "cgroup", "syscall");
        for (int i = 0; i < 5; i++) {
            f.add(10, "/c" + i, "read");
        }
        f.add(1, "/c4", "read"); // the same folded set again
        var points = f.snapshot().getDataPoints();
        assertEquals(4, points.size(), "three admitted series and one other");
        double other = points.stream().filter(p -> p.getLabels().get("cgroup").equals("other"))
                .mapToDouble(p -> p.getValue()).sum();
        assertEquals(21, other, "folded values are summed, not lost");
        assertEquals(Map.of("sonde_x_total", 2L), budget.foldedCounts());
        assertArrayEquals(new String[] {"/c0", "read"}, budget.admit("sonde_x_total", new String[] {"/c0", "read"}),
                "an admitted set stays admitted");
    }

    @Test
    void idleSeriesGiveTheirPlaceUp() throws InterruptedException {
        SeriesBudget budget = new SeriesBudget(1, 10);
        budget.admit("m", new String[] {"a"});
        Thread.sleep(30);
        assertArrayEquals(new String[] {"b"}, budget.admit("m", new String[] {"b"}));
    }
}
