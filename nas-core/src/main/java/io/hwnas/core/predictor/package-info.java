/** Accuracy predictors on architecture encodings (an MLP as Once-for-All's, ridge regression), pure Java. */
package io.hwnas.core.predictor;
