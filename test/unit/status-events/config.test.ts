import { statusEventsFromEnv, STATUS_EVENTS_DEFAULTS } from '../../../runtime/status-events/config';

describe('the status publisher settings from the environment', () => {
  it('is off without STATUS_EVENT_BUS', () => {
    expect(statusEventsFromEnv({})).toBeUndefined();
  });

  it('needs the bus and the table together, naming the one missing', () => {
    expect(() => statusEventsFromEnv({ STATUS_EVENTS_TABLE: 't' })).toThrow(/STATUS_EVENTS_TABLE is set but STATUS_EVENT_BUS is not/);
    expect(() => statusEventsFromEnv({ STATUS_EVENT_BUS: 'b' })).toThrow(/STATUS_EVENT_BUS is set but STATUS_EVENTS_TABLE is not/);
  });

  it('takes the defaults, and the UI address from TEMPORAL_UI_URL', () => {
    expect(statusEventsFromEnv({ STATUS_EVENT_BUS: 'b', STATUS_EVENTS_TABLE: 't' })).toEqual({ eventBusName: 'b', table: 't', ...STATUS_EVENTS_DEFAULTS });
    expect(statusEventsFromEnv({ STATUS_EVENT_BUS: 'b', STATUS_EVENTS_TABLE: 't', TEMPORAL_UI_URL: 'http://localhost:8233' })?.uiBaseUrl).toBe('http://localhost:8233');
  });

  it('refuses bad values, naming the variable and the rule', () => {
    const base = { STATUS_EVENT_BUS: 'b', STATUS_EVENTS_TABLE: 't' };
    expect(() => statusEventsFromEnv({ ...base, TEMPORAL_UI_URL: 'localhost:8233' })).toThrow(/TEMPORAL_UI_URL must be the Temporal Web UI's http\(s\) URL/);
    expect(() => statusEventsFromEnv({ ...base, STATUS_EVENTS_POLL_MS: '1.5' })).toThrow(/STATUS_EVENTS_POLL_MS must be a whole number of milliseconds from 100 to 600000, got "1.5"/);
    expect(() => statusEventsFromEnv({ ...base, STATUS_EVENTS_MARGIN_MS: '999999' })).toThrow(/STATUS_EVENTS_MARGIN_MS must be a whole number/);
    expect(statusEventsFromEnv({ ...base, STATUS_EVENTS_POLL_MS: '5000', STATUS_EVENTS_MARGIN_MS: '60000' })).toMatchObject({ pollIntervalMs: 5000, marginMs: 60000 });
  });
});
