/** @module @twsa/reconstruct */
export {};
