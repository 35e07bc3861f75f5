/** The {@code hwnas} command line: picocli commands that parse options, call the layers below and print text or JSON. */
package io.hwnas.experiments.cli;
