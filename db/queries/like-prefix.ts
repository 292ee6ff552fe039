/** A LIKE pattern for "starts with": `_` is a wildcard and may be part of an identifier; `%` and `\` cannot be. */
export const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
