package io.hwnas.experiments;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.hwnas.core.LayerRules;
import org.junit.jupiter.api.Test;

/**
 * The layers of the app, top to bottom: the command line; studies and the live view (serve); the run;
 * report, export and
 * the Slurm executor; the setup that binds a config once; the executor SPI; candidate evaluation;
 * the config. And the modules: experiments above strategies and cost models, nas-core below all.
 */
class ExperimentsArchitectureTest {

    private static final JavaClasses ALL = LayerRules.mainClasses("io.hwnas");
    private static final JavaClasses APP = LayerRules.mainClasses("io.hwnas.experiments");

    @Test
    void noPackageCycles() {
        LayerRules.noPackageCycles("io.hwnas.experiments").check(APP);
    }

    @Test
    void noPackageCyclesAcrossModules() {
        LayerRules.noPackageCycles("io.hwnas").check(ALL);
    }

    @Test
    void djlOnlyWhereNetworksRun() {
        LayerRules.djlOnlyInNetworkPackages().check(ALL);
    }

    @Test
    void modules() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("experiments").definedBy("io.hwnas.experiments..")
                .layer("search-strategies").definedBy("io.hwnas.search..")
                .layer("hw-cost-models").definedBy("io.hwnas.cost..")
                .layer("nas-core").definedBy("io.hwnas.core..")
                .whereLayer("experiments").mayNotBeAccessedByAnyLayer()
                .whereLayer("search-strategies").mayOnlyBeAccessedByLayers("experiments")
                .whereLayer("hw-cost-models").mayOnlyBeAccessedByLayers("experiments")
                .check(ALL);
    }

    @Test
    void layers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Cli").definedBy("io.hwnas.experiments.cli..")
                .layer("Study").definedBy("io.hwnas.experiments.study..")
                .layer("Serve").definedBy("io.hwnas.experiments.serve..")
                .layer("Agent").definedBy("io.hwnas.experiments.agent..")
                .layer("Run").definedBy("io.hwnas.experiments.run..")
                .layer("Report").definedBy("io.hwnas.experiments.report..")
                .layer("Export").definedBy("io.hwnas.experiments.export..")
                .layer("Slurm").definedBy("io.hwnas.experiments.exec.slurm..")
                .layer("Setup").definedBy("io.hwnas.experiments.setup..")
                .layer("Exec").definedBy("io.hwnas.experiments.exec")
                .layer("Evaluate").definedBy("io.hwnas.experiments.evaluate..")
                .layer("Config").definedBy("io.hwnas.experiments.config..")
                .whereLayer("Cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("Study").mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Serve").mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Agent").mayOnlyBeAccessedByLayers("Cli", "Study", "Run")
                .whereLayer("Run").mayOnlyBeAccessedByLayers("Cli", "Study", "Serve")
                .whereLayer("Report").mayOnlyBeAccessedByLayers("Cli", "Study", "Serve", "Agent", "Run")
                .whereLayer("Export").mayOnlyBeAccessedByLayers("Cli", "Study", "Agent", "Run")
                .whereLayer("Slurm").mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Setup").mayOnlyBeAccessedByLayers("Cli", "Study", "Serve", "Agent", "Run", "Report",
                        "Export", "Slurm")
                .whereLayer("Exec").mayOnlyBeAccessedByLayers("Cli", "Study", "Agent", "Run", "Slurm", "Setup")
                .whereLayer("Evaluate").mayOnlyBeAccessedByLayers("Cli", "Study", "Serve", "Agent", "Run", "Report",
                        "Export", "Slurm",
                        "Setup", "Exec")
                .check(APP);
    }

    @Test
    void theCommandLineIsNotALibrary() {
        noClasses().that().resideOutsideOfPackage("io.hwnas.experiments.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.hwnas.experiments.cli..").check(APP);
    }
}
