export const SOURCE_PATTERN = /^[a-z0-9._-]{1,64}$/;

export type SourcesResult = { ok: true; sources: string[] } | { ok: false; error: string };

/** Parses the comma-separated sources field of the API-key form. */
export function parseSources(input: string): SourcesResult {
	const parts = input
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
	if (parts.length === 0) return { ok: false, error: 'Enter at least one source.' };
	const invalid = parts.filter((part) => !SOURCE_PATTERN.test(part));
	if (invalid.length > 0) {
		return {
			ok: false,
			error: `Invalid source${invalid.length > 1 ? 's' : ''}: ${invalid.join(', ')}. Use 1–64 of a–z, 0–9, dot, underscore or hyphen.`
		};
	}
	return { ok: true, sources: [...new Set(parts)] };
}
