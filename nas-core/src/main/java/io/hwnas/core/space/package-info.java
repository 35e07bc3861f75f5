/**
 * The search space interface, its registry, option parsing and the errors of architectures that do not parse
 * or decode.
 */
package io.hwnas.core.space;
