import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('stimuli', import.meta.dirname);
