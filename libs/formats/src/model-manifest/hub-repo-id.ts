/** What a Hugging Face Hub repository id looks like, for messages: `org/name`. */
export const HUB_REPO_ID_FORM =
  'a Hugging Face repo id, org/name (e.g. black-forest-labs/FLUX.2-klein-base-4B): letters, digits, "-", "_" and ".", each part at most 96 characters, starting and ending with a letter or digit';

/** One part (namespace or name) of a repo id, as the Hub's own `validate_repo_id` accepts it (ASCII). */
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;

/**
 * Whether `value` is a namespaced Hugging Face Hub repository id, `org/name`: each part 1 to 96
 * letters, digits, "-", "_" or ".", starting and ending with a letter, digit or "_", with no "--"
 * or ".." (the Hub reserves them) and no ".git" ending.
 */
export function isHubRepoId(value: string): boolean {
  const parts = value.split('/');
  if (parts.length !== 2) return false;
  return parts.every((part) => PART.test(part) && !part.includes('--') && !part.includes('..')) && !value.endsWith('.git');
}
