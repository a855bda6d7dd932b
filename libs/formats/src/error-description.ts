/** What went wrong, in one sentence, and what to do about it: the one shape every package's `describe...` functions return. */
export interface ErrorDescription {
  readonly message: string;
  readonly hint: string;
}
