import type { Logger } from 'pino';
import type { Sql } from '../db/connect';
import {
  escalateDue, openFeedStale, openReturnOverdue, openSlaAtRisk, resolveFeedStale, resolveReturnOverdue, resolveSlaAtRisk,
} from '../db/queries/exception-rules';
import { pruneSourceActivity, sourceActivity } from '../db/queries/feeds';
import type { Config } from '../domain/config';
import { FEED_ACTIVITY_RETENTION_MINUTES, FEED_HISTORY_MINUTES, staleFeeds } from '../domain/exceptions/time-rules';

export interface TimeRuleSettings {
  riskHorizonMinutes: number;
  returnOverdueHours: number;
  /** Configured silence thresholds per source; other sources' are learned. */
  feedStaleMinutes: Readonly<Record<string, number>>;
  feedStaleMinMinutes: number;
}

export function timeRuleSettings(config: Config): TimeRuleSettings {
  return {
    riskHorizonMinutes: config.RISK_HORIZON_MINUTES,
    returnOverdueHours: config.RETURN_OVERDUE_HOURS,
    feedStaleMinutes: config.FEED_STALE_MINUTES,
    feedStaleMinMinutes: config.FEED_STALE_MIN_MINUTES,
  };
}

export interface TimeRuleDeps {
  sql: Sql;
  log: Logger;
}

export interface RuleCounts {
  opened: number;
  resolved: number;
}

export interface TimeRulesResult {
  slaAtRisk: RuleCounts;
  returnOverdue: RuleCounts;
  feedStale: RuleCounts & { pruned: number };
  escalated: number;
}

/** One or more rules failed; the others ran (their counts are kept for the log). */
export class TimeRulesError extends Error {
  constructor(readonly failures: { rule: string; error: unknown }[], readonly result: TimeRulesResult) {
    super(`time rules failed: ${failures.map((f) => `${f.rule}: ${(f.error as Error)?.message ?? String(f.error)}`).join('; ')}`);
    this.name = 'TimeRulesError';
  }
}

const MINUTE = 60_000;

/**
 * The time-driven exception rules at `now` (docs/exception-rules.md), each in its own short
 * transaction: stale feeds, orders at risk of missing their promise, overdue returns, then
 * escalation of everything past due (after the auto-resolves, so what just cleared does not
 * escalate). Idempotent: running it again, or in two workers at once, opens and escalates nothing twice.
 * A failing rule does not stop the others; the run then throws TimeRulesError.
 */
export async function runTimeRules(deps: TimeRuleDeps, settings: TimeRuleSettings, now: Date): Promise<TimeRulesResult> {
  const { sql } = deps;
  const result: TimeRulesResult = {
    slaAtRisk: { opened: 0, resolved: 0 },
    returnOverdue: { opened: 0, resolved: 0 },
    feedStale: { opened: 0, resolved: 0, pruned: 0 },
    escalated: 0,
  };
  const failures: { rule: string; error: unknown }[] = [];
  const step = async (rule: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      deps.log.error({ err: error, rule }, 'time rule failed');
      failures.push({ rule, error });
    }
  };

  await step('feed_stale', async () => {
    result.feedStale = await sql.begin(async (tx) => {
      const pruned = await pruneSourceActivity(tx, new Date(now.getTime() - FEED_ACTIVITY_RETENTION_MINUTES * MINUTE));
      const resolved = await resolveFeedStale(tx, now);
      const activity = await sourceActivity(tx, now, FEED_HISTORY_MINUTES);
      const stale = staleFeeds(activity, { configured: settings.feedStaleMinutes, minMinutes: settings.feedStaleMinMinutes }, now);
      const opened = await openFeedStale(tx, now, stale);
      return { opened, resolved, pruned };
    });
  });
  await step('sla_at_risk', async () => {
    result.slaAtRisk = await sql.begin(async (tx) => {
      const resolved = await resolveSlaAtRisk(tx, now);
      const opened = await openSlaAtRisk(tx, now, new Date(now.getTime() + settings.riskHorizonMinutes * MINUTE));
      return { opened, resolved };
    });
  });
  await step('return_overdue', async () => {
    result.returnOverdue = await sql.begin(async (tx) => {
      const resolved = await resolveReturnOverdue(tx, now);
      const opened = await openReturnOverdue(tx, now, new Date(now.getTime() - settings.returnOverdueHours * 60 * MINUTE));
      return { opened, resolved };
    });
  });
  await step('escalation', async () => {
    result.escalated = await escalateDue(sql, now);
  });

  if (failures.length > 0) throw new TimeRulesError(failures, result);
  return result;
}
