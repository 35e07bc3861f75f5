/** The NAS-Bench-201 cell search space with its official cell index. */
package io.hwnas.core.space.nb201;
