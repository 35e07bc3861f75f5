package io.hwnas.search;

import io.hwnas.core.arch.Architecture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bookkeeping every strategy run shares: the budget, the architectures proposed so far (so
 * none is proposed twice), the ask/tell protocol checks and the history of told evaluations.
 * Subclasses only say what to propose next and what to learn from results.
 */
public abstract class AbstractRun implements StrategyRun {

    protected final SearchProblem problem;
    private final Set<Architecture> proposed = new HashSet<>();
    private final List<Evaluation> history = new ArrayList<>();
    private List<Architecture> pending;
    private int used;
    private boolean finished;

    protected AbstractRun(SearchProblem problem) {
        this.problem = problem;
    }

    @Override
    public final List<Architecture> ask() {
        if (pending != null) {
            throw new IllegalStateException("ask() called again before the last batch of " + pending.size()
                    + " architectures was told");
        }
        if (finished || remaining() <= 0) {
            return List.of();
        }
        List<Architecture> batch = List.copyOf(propose(remaining()));
        if (batch.size() > remaining()) {
            throw new IllegalStateException(getClass().getSimpleName() + " proposed " + batch.size()
                    + " architectures with only " + remaining() + " evaluations left");
        }
        Set<Architecture> distinct = new HashSet<>(batch);
        if (distinct.size() != batch.size() || !proposed.containsAll(distinct)) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + " proposed an architecture twice or without claiming it");
        }
        if (batch.isEmpty()) {
            finished = true;
            return List.of();
        }
        used += batch.size();
        pending = batch;
        return batch;
    }

    @Override
    public final void tell(List<Evaluation> results) {
        if (pending == null) {
            throw new IllegalStateException("tell() called without an asked batch");
        }
        if (results.size() != pending.size()) {
            throw new IllegalArgumentException("the asked batch had " + pending.size() + " architectures, but "
                    + results.size() + " results were told");
        }
        for (int i = 0; i < results.size(); i++) {
            if (!results.get(i).architecture().equals(pending.get(i))) {
                throw new IllegalArgumentException("result " + i + " is for " + results.get(i).architecture()
                        + ", but the batch asked for " + pending.get(i) + " there");
            }
        }
        pending = null;
        List<Evaluation> copy = List.copyOf(results);
        history.addAll(copy);
        observe(copy);
    }

    /**
     * The next batch: distinct architectures, each claimed with {@link #claim}, at most
     * {@code remaining}; empty to finish the run.
     */
    protected abstract List<Architecture> propose(int remaining);

    /** Learns from the evaluations of the last proposed batch (same order). */
    protected abstract void observe(List<Evaluation> results);

    /** Marks an architecture as proposed; false if it was proposed before (then it must not be). */
    protected final boolean claim(Architecture a) {
        return proposed.add(a);
    }

    /** True when the architecture was proposed before in this run. */
    protected final boolean wasProposed(Architecture a) {
        return proposed.contains(a);
    }

    /** Evaluations left in the budget. */
    protected final int remaining() {
        return problem.budget() - used;
    }

    /** The batch size to use this time: the problem's hint, capped by the budget left. */
    protected final int batchSize(int remaining) {
        return Math.min(problem.batchSize(), remaining);
    }

    /** Every evaluation told so far, in order. */
    protected final List<Evaluation> history() {
        return Collections.unmodifiableList(history);
    }

    /** Ends the run: {@code ask} returns empty from now on. */
    protected final void finish() {
        finished = true;
    }
}
