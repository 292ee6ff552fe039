import type { LiveKpis } from '../domain/kpis/types';
import type { LiveAggregates } from '../jobs/live-aggregates';

/**
 * The broadcaster's memory of the live KPIs it last pushed: `changed` reads them again and answers
 * them only when a figure (or a window's range) differs, so an idle tower pushes nothing.
 */
export function kpiChanges(live: LiveAggregates): { changed(): Promise<LiveKpis | null> } {
  let last = '';
  return {
    async changed() {
      const kpis = await live.readKpis();
      // The clock alone is no change.
      const { asOf: _asOf, ...figures } = kpis;
      const key = JSON.stringify(figures);
      if (key === last) return null;
      last = key;
      return kpis;
    },
  };
}
