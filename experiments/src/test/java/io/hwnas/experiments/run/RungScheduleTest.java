package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rung arithmetic of successive halving and Hyperband. */
class RungScheduleTest {

    private static RungSchedule of(String schedule, int min, int max, int eta) {
        return new RungSchedule(new ExperimentConfig.Fidelity(schedule, min, max, eta));
    }

    @Test
    void rungsCandidatesAndStepsOfSuccessiveHalving() {
        RungSchedule s = of("successive-halving", 10, 90, 3);
        assertEquals(List.of(10, 30, 90), s.rungs());
        assertEquals(0, s.firstRung(0));
        assertEquals(0, s.firstRung(5));
        assertEquals(List.of(27, 9, 3), s.candidatesPerRung(27, 0));
        assertEquals(List.of(8, 2, 1), s.candidatesPerRung(8, 0), "floor(n / eta), at least one");
        // 27 x 10 + 9 x 20 + 3 x 60 steps; rungs continue from checkpoints, so each pays only its increment
        assertEquals(27 * 10 + 9 * 20 + 3 * 60, s.totalSteps(27, 0));
        // max_steps off the eta grid: the last rung is max_steps
        assertEquals(List.of(5, 10, 20, 40, 50), of("successive-halving", 5, 50, 2).rungs());
        assertEquals(List.of(1, 4), of("successive-halving", 1, 4, 5).rungs());
    }

    @Test
    void hyperbandCyclesThroughBracketsThatStartLater() {
        RungSchedule h = of("hyperband", 1, 9, 3);
        assertEquals(List.of(0, 1, 2, 0), List.of(h.firstRung(0), h.firstRung(1), h.firstRung(2), h.firstRung(3)));
        assertEquals(List.of(9, 3, 1), h.candidatesPerRung(9, 0));
        assertEquals(List.of(9, 3), h.candidatesPerRung(9, 1));
        assertEquals(List.of(9), h.candidatesPerRung(9, 2));
        assertEquals(9 * 1 + 3 * 2 + 1 * 6, h.totalSteps(9, 0));
        assertEquals(9 * 3 + 3 * 6, h.totalSteps(9, 1), "bracket 1 starts from scratch at 3 steps");
        assertEquals(9 * 9, h.totalSteps(9, 2), "the last bracket trains every candidate max_steps");
    }

    @Test
    void promotionKeepsTheBestOkOnesAndFinalsAreTheHighestRungs() {
        RungSchedule s = of("successive-halving", 1, 9, 3);
        List<Evaluation> rung = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rung.add(Evaluation.ok(arch(i), Map.of("accuracy", (double) (i % 4), CandidateEvaluator.FIDELITY_STEPS,
                    1.0)));
        }
        rung.add(Evaluation.failed(arch(7), "boom"));
        rung.add(Evaluation.infeasible(arch(8), Map.of("accuracy", 99.0), "too slow"));
        List<Evaluation> up = s.promote(rung);
        assertEquals(3, up.size());
        assertEquals(List.of(arch(3), arch(2), arch(6)), up.stream().map(Evaluation::architecture).toList(),
                "by accuracy, ties by architecture string; failed and infeasible ones stop");
        Evaluation later = Evaluation.ok(arch(3), Map.of("accuracy", 50.0, CandidateEvaluator.FIDELITY_STEPS, 3.0));
        List<Evaluation> journal = new ArrayList<>(rung);
        journal.add(later);
        List<Evaluation> finals = RungSchedule.finals(journal);
        assertEquals(9, finals.size());
        assertEquals(later, finals.get(3));
        assertEquals(3, RungSchedule.steps(finals.get(3)));
    }

    private static Architecture arch(int i) {
        return new Architecture("test", List.of(i), "a" + i);
    }
}
