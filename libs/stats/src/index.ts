/** Package version of @moral-plantain/stats. */
export const version = '0.1.0';
