package io.hwnas.search;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.hwnas.core.LayerRules;
import org.junit.jupiter.api.Test;

/** Strategies sit on the ask/tell API, know no other strategy, and never touch DJL or its natives. */
class SearchArchitectureTest {

    private static final JavaClasses CLASSES = LayerRules.mainClasses("io.hwnas.search");

    @Test
    void noPackageCycles() {
        LayerRules.noPackageCycles("io.hwnas.search").check(CLASSES);
    }

    @Test
    void strategiesDoNotDependOnEachOther() {
        slices().matching("io.hwnas.search.(*)..").should().notDependOnEachOther().check(CLASSES);
    }

    @Test
    void strategiesRunNoNetworks() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "io.hwnas.core.djl..",
                "io.hwnas.core.train..", "io.hwnas.core.proxy..", "io.hwnas.cost..", "io.hwnas.experiments..")
                .check(CLASSES);
    }

    @Test
    void noPyTorchNativeLibraryOnTheClassPath() {
        // pytorch-native-cpu and pytorch-jni belong to the modules that run networks
        assertNull(ClassLoader.getSystemResource("pytorch/cpu/linux-x86_64/libtorch_cpu.so"));
        assertNull(ClassLoader.getSystemResource("jnilib/pytorch.properties"));
    }
}
