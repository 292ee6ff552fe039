/** Turns one trimmed, non-empty CSV cell into the JSON value the event contract expects. */
export type Convert = (cell: string) => { value: unknown } | { error: string };

const shown = (cell: string) => JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);

export const text: Convert = (cell) => ({ value: cell });

// Enum values such as a location kind are matched case-insensitively (`DC` is `dc`).
export const lowerText: Convert = (cell) => ({ value: cell.toLowerCase() });

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
// Range, whole-number and 2-decimal rules are left to the contract's validation.
export const number: Convert = (cell) =>
  DECIMAL.test(cell) ? { value: Number(cell) } : { error: `must be a number, not ${shown(cell)}` };

const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);
export const boolean: Convert = (cell) => {
  const v = cell.toLowerCase();
  if (TRUE.has(v)) return { value: true };
  if (FALSE.has(v)) return { value: false };
  return { error: `must be true/false, yes/no or 1/0, not ${shown(cell)}` };
};
