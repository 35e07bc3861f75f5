/** The network IR: an ordered DAG of typed layers with inferred shapes, parameters, MACs and bytes, and its builder. */
package io.hwnas.core.ir;
