/** Package version of @moral-plantain/model-runtime. */
export const version = '0.1.0';
