import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('model-runtime', import.meta.dirname);
