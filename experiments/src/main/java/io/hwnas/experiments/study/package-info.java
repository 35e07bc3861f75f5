/** Studies built on runs: NetAdapt against uniform width scaling, with paired statistics over seeds. */
package io.hwnas.experiments.study;
