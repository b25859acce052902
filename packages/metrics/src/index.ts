/** @module @twsa/metrics */
export {};
