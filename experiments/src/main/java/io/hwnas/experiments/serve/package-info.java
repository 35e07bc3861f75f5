/** {@code hwnas serve}: a read-only HTTP live view of run directories that follows their journals as they grow. */
package io.hwnas.experiments.serve;
