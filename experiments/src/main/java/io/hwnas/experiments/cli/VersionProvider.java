package io.hwnas.experiments.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (or "dev" when run from classes). */
final class VersionProvider implements IVersionProvider {

    static String version() {
        String v = HwnasCli.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"hwnas " + version(), "Java " + System.getProperty("java.version")};
    }
}
