import { STATUS_EVENT_BUS_ENV, STATUS_EVENTS_TABLE_ENV, TEMPORAL_UI_URL_ENV } from './names';

/** The status publisher's settings (docs/events-out.md), from the worker's environment. */
export interface StatusEventsSettings {
  eventBusName: string;
  table: string;
  uiBaseUrl?: string;
  pollIntervalMs: number;
  /** How late a change may become listable in visibility and still be reported. */
  marginMs: number;
  /** The widest window read at once while catching up after downtime. */
  catchUpWindowMs: number;
  leaseMs: number;
  putAttempts: number;
  putBackoffMs: number;
}

export const STATUS_EVENTS_DEFAULTS = {
  pollIntervalMs: 2000,
  marginMs: 30_000,
  catchUpWindowMs: 600_000,
  leaseMs: 30_000,
  putAttempts: 3,
  putBackoffMs: 200,
} as const;

/**
 * STATUS_EVENT_BUS (the bus's name or ARN) turns the publisher on, and needs STATUS_EVENTS_TABLE
 * (its lease and cursor); the stack sets both when it grants the worker the bus. TEMPORAL_UI_URL
 * gives each event its link (the stack sets it from the deployment setting temporalUiUrl).
 * STATUS_EVENTS_POLL_MS and STATUS_EVENTS_MARGIN_MS tune latency and the visibility lag tolerated.
 * Undefined: the publisher is off. Every error names the variable and the rule.
 */
export function statusEventsFromEnv(env: NodeJS.ProcessEnv): StatusEventsSettings | undefined {
  const eventBusName = env[STATUS_EVENT_BUS_ENV] || undefined;
  const table = env[STATUS_EVENTS_TABLE_ENV] || undefined;
  if (eventBusName === undefined) {
    if (table !== undefined) throw new Error(`${STATUS_EVENTS_TABLE_ENV} is set but ${STATUS_EVENT_BUS_ENV} is not: the status publisher needs the event bus to put events on (set both, or neither to turn it off)`);
    return undefined;
  }
  if (table === undefined) throw new Error(`${STATUS_EVENT_BUS_ENV} is set but ${STATUS_EVENTS_TABLE_ENV} is not: the status publisher keeps its lease and cursor in that DynamoDB table (set both, or neither to turn it off)`);
  const uiBaseUrl = env[TEMPORAL_UI_URL_ENV] || undefined;
  if (uiBaseUrl !== undefined && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(uiBaseUrl)) {
    throw new Error(`${TEMPORAL_UI_URL_ENV} must be the Temporal Web UI's http(s) URL, e.g. http://localhost:8233, got "${uiBaseUrl}"`);
  }
  const pollIntervalMs = milliseconds(env, 'STATUS_EVENTS_POLL_MS', STATUS_EVENTS_DEFAULTS.pollIntervalMs, 100, 600_000);
  const marginMs = milliseconds(env, 'STATUS_EVENTS_MARGIN_MS', STATUS_EVENTS_DEFAULTS.marginMs, 1000, STATUS_EVENTS_DEFAULTS.catchUpWindowMs);
  return { eventBusName, table, ...(uiBaseUrl ? { uiBaseUrl } : {}), ...STATUS_EVENTS_DEFAULTS, pollIntervalMs, marginMs };
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name} must be a whole number of milliseconds from ${min} to ${max}, got "${raw}"`);
  return value;
}
