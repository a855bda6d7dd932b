/** Package version of @moral-plantain/hooks. */
export const version = '0.1.0';
