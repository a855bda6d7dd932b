/** Package version of @moral-plantain/report. */
export const version = '0.1.0';
