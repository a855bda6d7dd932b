import { projectLintConfig } from '../../eslint.config.mjs';

export default projectLintConfig();
