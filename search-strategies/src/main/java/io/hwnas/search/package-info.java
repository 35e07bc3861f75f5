/**
 * The ask/tell search strategy interface and its registry, with the search problem (objectives, constraints,
 * cost oracle), evaluations and the ranking strategies share.
 */
package io.hwnas.search;
