/** @module @twsa/models */
export {};
