/** Cost models that read measured tables, not the network's arithmetic: whole-architecture latencies from a CSV and per-layer lookup tables, with the CSV reader of measurements. */
package io.hwnas.cost.table;
