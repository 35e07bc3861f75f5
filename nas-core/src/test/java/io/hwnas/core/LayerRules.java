package io.hwnas.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rules every module's tests check with ArchUnit: no package cycle, and DJL only
 * in the packages that run networks (the README's layout section names them).
 */
public final class LayerRules {

    /** The packages that may import {@code ai.djl}: those that build, train, score, time or export networks. */
    public static final String[] DJL_PACKAGES = {
        "io.hwnas.core.djl..", "io.hwnas.core.train..", "io.hwnas.core.proxy..", "io.hwnas.core.supernet..",
        "io.hwnas.core.quant..", "io.hwnas.cost.host..",
        "io.hwnas.experiments.export.."};

    private LayerRules() {
    }

    /** The main (non-test) classes of the given packages, wherever they are on the class path. */
    public static JavaClasses mainClasses(String... packages) {
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        return new ClassFileImporter().withImportOption(mainOnly).importPackages(packages);
    }

    /** Every package below {@code root} is its own slice, and no slices form a cycle. */
    public static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles().allowEmptyShould(false);
    }

    /** Only {@link #DJL_PACKAGES} import DJL. */
    public static ArchRule djlOnlyInNetworkPackages() {
        return noClasses().that().resideOutsideOfPackages(DJL_PACKAGES)
                .should().dependOnClassesThat().resideInAPackage("ai.djl..")
                .because("DJL belongs to the packages that run networks (README, Layout)");
    }
}
