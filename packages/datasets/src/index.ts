/** @module @twsa/datasets */
export {};
