/** Random search: uniform samples of the space without repeats. */
package io.hwnas.search.random;
