package io.hwnas.experiments.config;

/** Reads {@code accuracy.fidelity}: multi-fidelity training, only with the {@code train} estimator. */
final class FidelitySection {

    private FidelitySection() {
    }

    /** The section, or null when absent or when a problem was recorded. */
    static ExperimentConfig.Fidelity parse(Node n, ExperimentConfig.Plugin accuracy, Problems p) {
        if (!n.isObject()) {
            return null;
        }
        int before = p.all().size();
        n.allowOnly("schedule", "min_steps", "max_steps", "eta");
        String schedule = n.string("schedule", null, true);
        if (schedule != null && !ExperimentConfig.Fidelity.SCHEDULES.contains(schedule)) {
            p.notAllowed(n.path("schedule"), schedule, "one of " + ExperimentConfig.Fidelity.SCHEDULES);
        }
        if (!n.has("min_steps")) {
            p.missing(n.path("min_steps"), "the steps of the first rung, an integer >= 1");
        }
        if (!n.has("max_steps")) {
            p.missing(n.path("max_steps"), "the steps of the last rung, an integer > min_steps");
        }
        int min = (int) n.integer("min_steps", 1, 1, 100_000_000);
        int max = (int) n.integer("max_steps", 2, 1, 100_000_000);
        if (n.has("min_steps") && n.has("max_steps") && max <= min) {
            p.notAllowed(n.path("max_steps"), max, "an integer > min_steps (" + min + ")");
        }
        int eta = (int) n.integer("eta", 3, 2, 1000);
        if (accuracy != null && !"train".equals(accuracy.name())) {
            p.notAllowed("accuracy.name", accuracy.name(), "train: accuracy.fidelity schedules training steps, so "
                    + "only the train estimator takes it");
        }
        if (accuracy != null) {
            for (String o : new String[] {"steps", "epochs"}) {
                if (accuracy.options().containsKey(o)) {
                    p.notAllowed("accuracy.options." + o, accuracy.options().get(o), "no " + o + " with "
                            + "accuracy.fidelity: its max_steps is the length of the learning-rate schedule");
                }
            }
            if (Boolean.TRUE.equals(accuracy.options().get("inherit"))) {
                p.notAllowed("accuracy.options.inherit", true, "false with accuracy.fidelity: a promoted "
                        + "candidate continues from its own checkpoint, not a parent's");
            }
        }
        return p.all().size() > before ? null : new ExperimentConfig.Fidelity(schedule, min, max, eta);
    }
}
