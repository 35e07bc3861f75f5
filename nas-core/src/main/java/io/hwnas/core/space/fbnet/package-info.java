/** The FBNet search space as HW-NAS-Bench uses it. */
package io.hwnas.core.space.fbnet;
