import { parseTimestamp } from '../src/telemetry/ingest-batch';

describe('item timestamps', () => {
  it.each([
    ['2025-01-31T12:00:00.000Z', Date.UTC(2025, 0, 31, 12)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2025-01-31T12:00:00Z', Date.UTC(2025, 0, 31, 12)],
    ['2025-01-31T14:30:00+02:30', Date.UTC(2025, 0, 31, 12)],
    ['2025-01-31T00:00:00.123456789-01:00', Date.UTC(2025, 0, 31, 1, 0, 0, 123)],
    ['2025-01-31T12:00:00.5Z', Date.UTC(2025, 0, 31, 12, 0, 0, 500)],
  ])('reads %s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it.each([
    '2025-02-29T12:00:00.000Z', // not a leap year
    '2025-02-30T00:00:00Z',
    '2025-13-01T00:00:00.000Z',
    '2025-01-31T24:00:00.000Z',
    '2025-01-31T12:60:00Z',
    '2025-01-31T12:00:00', // no offset: whose local time?
    '2025-01-31 12:00:00Z',
    '2025-01-31T12:00:00.00xZ',
    '0099-01-01T00:00:00.000Z',
    '2025-01-31T12:00:00+24:00',
    '1738324800000',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});
