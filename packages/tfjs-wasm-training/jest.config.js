import { preset } from '../../jest.preset.js';

export default preset('tfjs-wasm-training', import.meta.dirname);
