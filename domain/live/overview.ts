/** The live overview: what the dashboard's first page shows, as the server pushes it. */

/** One minute of the last hour. `t` is the minute's start in epoch milliseconds. */
export interface MinuteBucket {
  t: number;
  /** Events accepted (durable) and applied, by arrival time. */
  accepted: number;
  applied: number;
  /** Orders and units by channel, by the order's event time (`occurredAt`). */
  orders: Record<string, number>;
  units: Record<string, number>;
}

export interface OverviewTiles {
  /** Orders per minute over the trailing minute (sliding-window estimate from minute buckets). */
  ordersPerMin: number;
  unitsPerMin: number;
  /** Events applied per second over the last 60 complete seconds. */
  eventsPerSecond: number;
  acceptedPerSecond: number;
  /** Ingest-to-applied lag over the last 60 seconds; null when nothing was applied. */
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  /** Events durable in PostgreSQL and not applied yet. */
  backlog: number;
}

export interface OverviewSnapshot {
  asOf: string;
  tiles: OverviewTiles;
  /** The last 60 minutes, oldest first, always 60 entries (empty minutes are zeros). */
  minutes: MinuteBucket[];
  channels: string[];
}

/** What changed since the last push: the tiles, and only the minutes that changed or are new. */
export interface OverviewDelta {
  asOf: string;
  tiles: OverviewTiles;
  minutes: MinuteBucket[];
  channels: string[];
}
