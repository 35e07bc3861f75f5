package io.hwnas.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/**
 * nas-core's layers: foundation, data and spaces below the estimator SPI, DJL networks, then training, proxies
 * and supernets, then quantisation-aware fine-tuning on top.
 */
class NasCoreArchitectureTest {

    private static final JavaClasses CLASSES = LayerRules.mainClasses("io.hwnas.core");

    @Test
    void noPackageCycles() {
        LayerRules.noPackageCycles("io.hwnas.core").check(CLASSES);
    }

    @Test
    void djlOnlyWhereNetworksRun() {
        LayerRules.djlOnlyInNetworkPackages().check(CLASSES);
    }

    @Test
    void nasCoreKnowsNothingAbove() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.hwnas.cost..", "io.hwnas.search..",
                "io.hwnas.experiments..").check(CLASSES);
    }

    @Test
    void layers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Quant").definedBy("io.hwnas.core.quant..")
                .layer("Training").definedBy("io.hwnas.core.train..", "io.hwnas.core.proxy..",
                        "io.hwnas.core.supernet..")
                .layer("Djl").definedBy("io.hwnas.core.djl..")
                .layer("Estimators").definedBy("io.hwnas.core.accuracy..")
                .layer("Spaces").definedBy("io.hwnas.core.space..", "io.hwnas.core.space.compress..")
                .layer("Data").definedBy("io.hwnas.core.data..")
                .layer("Predictor").definedBy("io.hwnas.core.predictor..")
                .layer("Foundation").definedBy("io.hwnas.core.ir..", "io.hwnas.core.arch..", "io.hwnas.core.plugin..",
                        "io.hwnas.core.io..", "io.hwnas.core.pareto..", "io.hwnas.core.table..")
                .whereLayer("Quant").mayNotBeAccessedByAnyLayer()
                .whereLayer("Training").mayOnlyBeAccessedByLayers("Quant")
                .whereLayer("Djl").mayOnlyBeAccessedByLayers("Training", "Quant")
                .whereLayer("Estimators").mayOnlyBeAccessedByLayers("Training", "Quant")
                .whereLayer("Spaces").mayOnlyBeAccessedByLayers("Estimators", "Training", "Quant")
                .whereLayer("Data").mayOnlyBeAccessedByLayers("Training", "Quant")
                .whereLayer("Predictor").mayOnlyBeAccessedByLayers("Training")
                .check(CLASSES);
    }
}
