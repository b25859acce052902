import { preset } from '../../jest.preset.js';

export default preset('models', import.meta.dirname);
