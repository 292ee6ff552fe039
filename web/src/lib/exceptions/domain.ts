// Relative, not $domain: these are values, and the root vitest run resolves no SvelteKit aliases.
export { allowedCodes, mayAct } from '../../../../domain/exceptions/triage';
export {
	decisionCodes,
	exceptionStatuses,
	exceptionTypeList,
	isDecisionType,
	isExceptionType,
	REAPPLIED_CODE,
	severities,
	unresolvedStatuses
} from '../../../../domain/exceptions/types';
export type { ExceptionStatus, ExceptionType, Severity } from '../../../../domain/exceptions/types';
export type {
	ActionResult,
	BulkPreview,
	BulkResult,
	ExceptionPage,
	ExceptionSummary,
	ExceptionTypeSummary,
	ExceptionView,
	TriageAction
} from '../../../../domain/exceptions/view';
