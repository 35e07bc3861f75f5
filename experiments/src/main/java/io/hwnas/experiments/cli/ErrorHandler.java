package io.hwnas.experiments.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.hwnas.core.space.ArchitectureFormatException;
import io.hwnas.core.space.InvalidArchitectureException;
import io.hwnas.core.plugin.UnknownNameException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Maps exceptions to exit codes and one line on stderr. Bad input (usage errors, unknown names, unparsable
 * architectures, bad shapes, files that are not what they claim) exits 2 with its message. An environment
 * failure (a file or folder that cannot be read or written: disk full, permissions, a read-only filesystem, a
 * file in the way, a name too long) exits 1 with the file and the cause. A worded failure (an
 * IllegalStateException with a message) exits 1 with its message; anything else is an internal error, 1. The
 * stack trace is printed only with {@code --debug} (or the system property {@code hwnas.trace}).
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        String command = cl.getCommandSpec().qualifiedName(" ") + ": ";
        IOException io = environmentCause(e);
        int code;
        if (isUsage(e)) {
            cl.getErr().println(command + (e.getMessage() == null ? e : e.getMessage()));
            code = 2;
        } else if (io != null) {
            cl.getErr().println(command + environmentLine(e, io));
            code = 1;
        } else if (e instanceof IllegalStateException && e.getMessage() != null) {
            cl.getErr().println(command + e.getMessage()); // a failure the code words (a lock taken over, no sbatch)
            code = 1;
        } else {
            cl.getErr().println(command + "internal error: " + e + (debug(parsed) ? ""
                    : " (run with --debug for the stack trace)"));
            code = 1;
        }
        if (debug(parsed)) {
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return code;
    }

    private static boolean isUsage(Throwable e) {
        return e instanceof UsageException || e instanceof UnknownNameException
                || e instanceof ArchitectureFormatException || e instanceof InvalidArchitectureException
                || e instanceof IllegalArgumentException || badInput(e) != null;
    }

    /** A file whose contents are not what they claim (not JSON, not UTF-8) anywhere in the chain: bad input. */
    private static Throwable badInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException || t instanceof CharacterCodingException) {
                return t;
            }
        }
        return null;
    }

    /** The deepest I/O failure in the chain, or null when there is none. */
    static IOException environmentCause(Throwable e) {
        IOException found = null;
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof IOException x) {
                found = x;
            }
        }
        return found;
    }

    /**
     * One line for an environment failure: the message of the outermost I/O exception in the chain (which names
     * the file the command was writing or reading), then the file and the cause of the deepest one, unless the
     * message says it already.
     */
    static String environmentLine(Throwable e, IOException deepest) {
        String cause = describe(deepest);
        String outer = null;
        for (Throwable t = e; t != null && t != deepest; t = t.getCause()) {
            if ((t instanceof UncheckedIOException || t instanceof IOException) && t.getMessage() != null
                    && !t.getMessage().equals(String.valueOf(t.getCause()))) {
                outer = t.getMessage();
                break;
            }
        }
        if (outer == null) {
            return cause;
        }
        outer = outer.replace(deepest.getClass().getName() + ": ", "");
        boolean says = outer.contains(cause) || !(deepest instanceof FileSystemException)
                && deepest.getMessage() != null && outer.contains(deepest.getMessage());
        return says ? outer : outer + ": " + cause;
    }

    /** The file and what went wrong with it, in words. */
    static String describe(IOException io) {
        if (!(io instanceof FileSystemException f)) {
            return io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage();
        }
        String what = f.getReason() != null ? f.getReason()
                : f instanceof AccessDeniedException ? "permission denied"
                : f instanceof NoSuchFileException ? "no such file or folder"
                : f instanceof FileAlreadyExistsException ? "a file is in the way"
                : f instanceof NotDirectoryException ? "not a folder"
                : f instanceof DirectoryNotEmptyException ? "folder not empty"
                : f.getClass().getSimpleName();
        String file = f.getFile() == null ? "" : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile())
                + ": ";
        return file + what;
    }

    /** True when {@code --debug} was given anywhere on the command line, or the property hwnas.trace is set. */
    private static boolean debug(ParseResult parsed) {
        for (ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return Boolean.getBoolean("hwnas.trace");
    }
}
