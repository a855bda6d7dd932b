import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('hooks', import.meta.dirname);
