/** MnasNet-style reinforcement learning: REINFORCE on factorised policies with a soft latency reward. */
package io.hwnas.search.rl;
