/**
 * Accuracy estimators as plugins found by name (the published-table estimator among them), their options,
 * estimates and warm starts.
 */
package io.hwnas.core.accuracy;
