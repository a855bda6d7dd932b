/**
 * A whole number with en-US thousands separators, e.g. 16320 -> "16,320" (rounded first).
 * Written out rather than through `toLocaleString`, whose first call loads ICU data and costs a
 * short command tens of milliseconds.
 */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  if (!Number.isFinite(rounded)) return String(rounded);
  const digits = String(Math.abs(rounded));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rounded < 0 ? `-${grouped}` : grouped;
}
