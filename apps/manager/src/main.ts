import { applyHeapDefaults } from './heap-sizing';
import { runMain } from './run-main';

// Before anything allocates much: bounds how far the old generation outgrows the live heap.
applyHeapDefaults();
void runMain();
