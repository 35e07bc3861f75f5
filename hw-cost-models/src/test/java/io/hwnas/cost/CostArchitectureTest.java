package io.hwnas.cost;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.hwnas.core.LayerRules;
import org.junit.jupiter.api.Test;

/**
 * hw-cost-models' layers: device profiles at the bottom, the cost-model API on them, one package
 * per target's model beside the others, host measurement (DJL) above, then calibration and validation.
 */
class CostArchitectureTest {

    private static final JavaClasses CLASSES = LayerRules.mainClasses("io.hwnas.cost");

    @Test
    void noPackageCycles() {
        LayerRules.noPackageCycles("io.hwnas.cost").check(CLASSES);
    }

    @Test
    void djlOnlyWhereNetworksRun() {
        LayerRules.djlOnlyInNetworkPackages().check(CLASSES);
    }

    @Test
    void analyticalModelsDoNotDependOnEachOther() {
        slices().matching("io.hwnas.cost.(cpu|gpu|npu|neuromorphic|table)..").should().notDependOnEachOther()
                .check(CLASSES);
    }

    @Test
    void costModelsKnowNothingAbove() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.hwnas.search..", "io.hwnas.experiments..")
                .check(CLASSES);
    }

    @Test
    void layers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Validation").definedBy("io.hwnas.cost.validation..")
                .layer("Calibration").definedBy("io.hwnas.cost.calibration..")
                .layer("Host").definedBy("io.hwnas.cost.host..")
                .layer("Models").definedBy("io.hwnas.cost.cpu..", "io.hwnas.cost.gpu..", "io.hwnas.cost.npu..",
                        "io.hwnas.cost.neuromorphic..", "io.hwnas.cost.table..")
                .layer("Api").definedBy("io.hwnas.cost")
                .layer("Devices").definedBy("io.hwnas.cost.device..")
                .whereLayer("Validation").mayNotBeAccessedByAnyLayer()
                .whereLayer("Calibration").mayOnlyBeAccessedByLayers("Validation")
                .whereLayer("Host").mayNotBeAccessedByAnyLayer()
                .whereLayer("Models").mayOnlyBeAccessedByLayers("Host", "Validation")
                .whereLayer("Api").mayOnlyBeAccessedByLayers("Models", "Host", "Calibration", "Validation")
                .check(CLASSES);
    }
}
