/**
 * Image datasets (Fashion-MNIST, CIFAR-10, seeded synthetic images), their seeded splits and the batcher that
 * fits and normalises images to a network's input.
 */
package io.hwnas.core.data;
