/** Package version of @moral-plantain/stimuli. */
export const version = '0.1.0';
