import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import type { TelemetryDailyFieldsFragment } from '../../../sdk';
import { AppHeader } from '../components/AppHeader';
import { DailyChart, type DailySeries } from '../components/DailyChart';
import { FormProblem, TextField } from '../components/forms';
import { Empty, formatDateTime, LoadMore, Loading } from '../components/status';
import { type DayRange, useApp, useCrashGroups, useTelemetryDaily, useTelemetryEvents } from '../hooks/queries';

const DAY_MS = 86_400_000;
/** The widest range one chart shows: a year of days stays readable and cheap to fetch. */
const MAX_RANGE_DAYS = 366;

const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** Every day from `from` to `to` inclusive. */
function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${range.from}T00:00:00Z`); t <= Date.parse(`${range.to}T00:00:00Z`); t += DAY_MS) days.push(utcDay(t));
  return days;
}

function rangeProblem(range: DayRange): string | null {
  if (!range.from || !range.to) return 'Choose both days.';
  if (range.from > range.to) return '“From” must be on or before “To”.';
  if (daysOf(range).length > MAX_RANGE_DAYS) return `Choose at most ${MAX_RANGE_DAYS} days.`;
  return null;
}

export function TelemetryPage() {
  const { appId = '' } = useParams();
  const app = useApp(appId);
  const today = Date.now();
  const [draft, setDraft] = useState<DayRange>({ from: utcDay(today - 6 * DAY_MS), to: utcDay(today) });
  const problem = rangeProblem(draft);
  // The last valid range stays on screen while the person is still typing a new one.
  const [range, setRange] = useState(draft);
  if (!problem && (draft.from !== range.from || draft.to !== range.to)) setRange(draft);

  if (app.isPending) return <Loading what="the app" />;
  if (app.error) return <FormProblem error={app.error} />;
  if (!app.data) return <Empty>This app does not exist, or you may not see it.</Empty>;
  return (
    <>
      <AppHeader app={app.data} />
      <form className="range" onSubmit={(event) => event.preventDefault()} aria-label="Date range">
        <TextField label="From (UTC day)" name="from" type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <TextField label="To (UTC day)" name="to" type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        {problem && <p className="form-problem" role="alert">{problem}</p>}
      </form>
      <DailySection appId={appId} range={range} />
      <CrashSection appId={appId} range={range} />
      <EventsSection appId={appId} range={range} />
    </>
  );
}

function DailySection({ appId, range }: { appId: string; range: DayRange }) {
  const daily = useTelemetryDaily(appId, range);
  const rows = daily.data ?? [];
  const days = useMemo(() => daysOf(range), [range]);
  const { events, devices } = useMemo(() => seriesOf(rows, days), [rows, days]);

  return (
    <section aria-labelledby="daily-heading">
      <h2 id="daily-heading">Daily events and unique devices</h2>
      {daily.isPending ? (
        <Loading what="daily telemetry" />
      ) : daily.error ? (
        <FormProblem error={daily.error} />
      ) : rows.length === 0 ? (
        <Empty>No telemetry from {range.from} to {range.to}. Devices send it to POST /v1/telemetry with an API key that has telemetry:write.</Empty>
      ) : (
        <>
          <div className="grid-2">
            <DailyChart title="Events per day" days={days} series={events} summary={summarize(events)} />
            <DailyChart title="Unique devices per day" days={days} series={devices} summary={summarize(devices)} />
          </div>
          <DailyTable rows={rows} />
        </>
      )}
    </section>
  );
}

/** One series per event type, zero on the days it has no row. */
function seriesOf(rows: TelemetryDailyFieldsFragment[], days: string[]): { events: DailySeries[]; devices: DailySeries[] } {
  const types = [...new Set(rows.map((row) => row.eventType))].sort();
  const index = new Map(days.map((day, i) => [day, i]));
  const build = (value: (row: TelemetryDailyFieldsFragment) => number) =>
    types.map((type) => {
      const values = days.map(() => 0);
      for (const row of rows) if (row.eventType === type) values[index.get(row.date) ?? -1] = value(row);
      return { label: type, values };
    });
  return { events: build((row) => Number(row.count)), devices: build((row) => Number(row.uniqueDevices)) };
}

function summarize(series: DailySeries[]): string {
  return series.map((s) => `${s.label} ${s.values.reduce((sum, v) => sum + v, 0)} in total`).join(', ');
}

function DailyTable({ rows }: { rows: TelemetryDailyFieldsFragment[] }) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="daily-table-caption" className="compact">
        <caption id="daily-table-caption">Telemetry by day and event type</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Event type</th>
            <th scope="col" className="num">
              Events
            </th>
            <th scope="col" className="num">
              Unique devices
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.date}/${row.eventType}`}>
              <td>{row.date}</td>
              <td>{row.eventType}</td>
              <td className="num">{Number(row.count).toLocaleString('en')}</td>
              <td className="num">{Number(row.uniqueDevices).toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CrashSection({ appId, range }: { appId: string; range: DayRange }) {
  const crashes = useCrashGroups(appId, range);
  const groups = crashes.data?.pages.flatMap((page) => page.crashGroups.edges.map((edge) => edge.node)) ?? [];
  return (
    <section aria-labelledby="crashes-heading">
      <h2 id="crashes-heading">Crash groups</h2>
      {crashes.isPending ? (
        <Loading what="crash groups" />
      ) : crashes.error ? (
        <FormProblem error={crashes.error} />
      ) : groups.length === 0 ? (
        <Empty>No crashes from {range.from} to {range.to}.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Crash</th>
                <th scope="col" className="num">
                  Crashes
                </th>
                <th scope="col" className="num">
                  Devices
                </th>
                <th scope="col">App versions</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={group.fingerprint}>
                  <th scope="row">
                    <span className="wrap">{group.title}</span>
                  </th>
                  <td className="num">{Number(group.count).toLocaleString('en')}</td>
                  <td className="num">{Number(group.affectedDevices).toLocaleString('en')}</td>
                  <td>{group.appVersions.join(', ')}</td>
                  <td>{formatDateTime(group.firstSeen)}</td>
                  <td>{formatDateTime(group.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore what="crash groups" hasMore={!!crashes.hasNextPage} loading={crashes.isFetchingNextPage} onClick={() => crashes.fetchNextPage()} />
    </section>
  );
}

function EventsSection({ appId, range }: { appId: string; range: DayRange }) {
  const events = useTelemetryEvents(appId, range);
  const rows = events.data?.pages.flatMap((page) => page.telemetryEvents.edges.map((edge) => edge.node)) ?? [];
  const total = events.data?.pages[0]?.telemetryEvents.totalCount;
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events{total !== undefined && ` (${Number(total).toLocaleString('en')})`}</h2>
      {events.isPending ? (
        <Loading what="events" />
      ) : events.error ? (
        <FormProblem error={events.error} />
      ) : rows.length === 0 ? (
        <Empty>No events from {range.from} to {range.to}.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-label="Events, newest first">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event type</th>
                <th scope="col">Mosis version</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((event) => (
                <tr key={event.id}>
                  <td className="nowrap">{event.timestamp.replace('T', ' ').replace('Z', ' UTC')}</td>
                  <td>{event.eventType}</td>
                  <td>{event.mosisVersion ?? '—'}</td>
                  <td>
                    <code className="wrap">{event.eventData == null ? '—' : JSON.stringify(event.eventData)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore what="events" hasMore={!!events.hasNextPage} loading={events.isFetchingNextPage} onClick={() => events.fetchNextPage()} />
    </section>
  );
}
