import { preset } from '../../jest.preset.js';

export default preset('datasets', import.meta.dirname);
