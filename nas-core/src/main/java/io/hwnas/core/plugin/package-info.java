/** ServiceLoader plugin registries found by name, with strict plugin option parsing. */
package io.hwnas.core.plugin;
