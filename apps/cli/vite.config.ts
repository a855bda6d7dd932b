import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('cli', import.meta.dirname);
