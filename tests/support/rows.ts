/** The first row of a query that must return one (fails the test clearly when it does not). */
export function one<T>(rows: readonly T[]): T {
  if (rows.length === 0) throw new Error('expected a row, got none');
  return rows[0]!;
}

/** Response bodies in tests are free-form JSON: tests assert on their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export const body = (res: Response): Promise<Json> => res.json();
