/** Atomic file writes and the JSON printer every output goes through. */
package io.hwnas.core.io;
