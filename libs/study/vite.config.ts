import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('study', import.meta.dirname);
