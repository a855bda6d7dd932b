import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('model-builder', import.meta.dirname);
