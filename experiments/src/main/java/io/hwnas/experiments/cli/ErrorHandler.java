package io.hwnas.experiments.cli;

import io.hwnas.core.space.ArchitectureFormatException;
import io.hwnas.core.space.InvalidArchitectureException;
import io.hwnas.core.plugin.UnknownNameException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Maps exceptions to exit codes and one clear line on stderr: bad input (usage errors, unknown
 * names, unparsable architectures, bad shapes) exits 2; anything else is a runtime failure, 1.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        boolean usage = e instanceof UsageException || e instanceof UnknownNameException
                || e instanceof ArchitectureFormatException || e instanceof InvalidArchitectureException
                || e instanceof IllegalArgumentException;
        cl.getErr().println(cl.getCommandSpec().qualifiedName(" ") + ": " + (e.getMessage() == null ? e : e.getMessage()));
        if (!usage || Boolean.getBoolean("hwnas.trace")) {
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return usage ? 2 : 1;
    }
}
