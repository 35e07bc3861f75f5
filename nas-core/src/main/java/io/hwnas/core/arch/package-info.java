/** The architecture value: a search space's decision vector with its canonical string. */
package io.hwnas.core.arch;
