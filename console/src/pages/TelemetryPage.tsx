import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import type { TelemetryDailyFieldsFragment, VersionHealthQuery } from '../../../sdk';
import { AppHeader, AppView } from '../components/AppHeader';
import { DailyChart, type DailySeries } from '../components/DailyChart';
import { TextField } from '../components/forms';
import { DataTable } from '../components/DataTable';
import { ConnectionView, formatDateTime, formatPercent, QueryView } from '../components/status';
import { type DayRange, useCrashGroups, useTelemetryDaily, useTelemetryEvents, useVersionHealth } from '../hooks/queries';

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
  const today = Date.now();
  const [draft, setDraft] = useState<DayRange>({ from: utcDay(today - 6 * DAY_MS), to: utcDay(today) });
  const problem = rangeProblem(draft);
  // The last valid range stays on screen while the person is still typing a new one.
  const [range, setRange] = useState(draft);
  if (!problem && (draft.from !== range.from || draft.to !== range.to)) setRange(draft);

  return (
    <AppView appId={appId}>
      {(app) => (
        <>
          <AppHeader app={app} />
          <form className="range" onSubmit={(event) => event.preventDefault()} aria-label="Date range">
            <TextField label="From (UTC day)" name="from" type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
            <TextField label="To (UTC day)" name="to" type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
            {problem && <p className="form-problem" role="alert">{problem}</p>}
          </form>
          <DailySection appId={appId} range={range} />
          <VersionHealthSection appId={appId} range={range} />
          <CrashSection appId={appId} range={range} />
          <EventsSection appId={appId} range={range} />
        </>
      )}
    </AppView>
  );
}

function DailySection({ appId, range }: { appId: string; range: DayRange }) {
  const daily = useTelemetryDaily(appId, range);
  return (
    <section aria-labelledby="daily-heading">
      <h2 id="daily-heading">Daily events and unique devices</h2>
      <QueryView
        query={daily} what="daily telemetry" isEmpty={(rows) => rows.length === 0}
        empty={`No telemetry from ${range.from} to ${range.to}. Devices send it to POST /v1/telemetry with an API key that has telemetry:write.`}
      >
        {(rows) => <DailyCharts rows={rows} range={range} />}
      </QueryView>
    </section>
  );
}

function DailyCharts({ rows, range }: { rows: TelemetryDailyFieldsFragment[]; range: DayRange }) {
  const days = useMemo(() => daysOf(range), [range]);
  const { events, devices } = useMemo(() => seriesOf(rows, days), [rows, days]);
  return (
    <>
      <div className="grid-2">
        <DailyChart title="Events per day" days={days} series={events} summary={summarize(events)} />
        <DailyChart title="Unique devices per day" days={days} series={devices} summary={summarize(devices)} />
      </div>
      <DataTable caption="Telemetry by day and event type" compact columns={['Day (UTC)', 'Event type', { label: 'Events', numeric: true }, { label: 'Unique devices', numeric: true }]}>
        {rows.map((row) => (
          <tr key={`${row.date}/${row.eventType}`}>
            <td className="nowrap">{row.date}</td>
            <td>{row.eventType}</td>
            <td className="num">{Number(row.count).toLocaleString('en')}</td>
            <td className="num">{Number(row.uniqueDevices).toLocaleString('en')}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

/** One series per event type, zero on the days it has no row. */
function seriesOf(rows: TelemetryDailyFieldsFragment[], days: string[]): { events: DailySeries[]; devices: DailySeries[] } {
  const byType = (value: (row: TelemetryDailyFieldsFragment) => number) => seriesBy(rows, days, (row) => row.eventType, value, 0);
  return { events: byType((row) => Number(row.count)), devices: byType((row) => Number(row.uniqueDevices)) };
}

/** One series per label (sorted), with `missing` on the days that label has no row. */
function seriesBy<T extends { date: string }>(
  rows: T[], days: string[], labelOf: (row: T) => string, value: (row: T) => number, missing: number | null,
): DailySeries[] {
  const index = new Map(days.map((day, i) => [day, i]));
  const labels = [...new Set(rows.map(labelOf))].sort();
  return labels.map((label) => {
    const values = days.map(() => missing);
    for (const row of rows) if (labelOf(row) === label) values[index.get(row.date) ?? -1] = value(row);
    return { label, values };
  });
}

function summarize(series: DailySeries[]): string {
  return series.map((s) => `${s.label} ${s.values.reduce((sum: number, v) => sum + (v ?? 0), 0)} in total`).join(', ');
}

type VersionHealthRow = VersionHealthQuery['versionHealth'][number];

function VersionHealthSection({ appId, range }: { appId: string; range: DayRange }) {
  const health = useVersionHealth(appId, range);
  return (
    <section aria-labelledby="health-heading">
      <h2 id="health-heading">Version health</h2>
      <QueryView
        query={health} what="version health" isEmpty={(rows) => rows.length === 0}
        empty={`No telemetry or crash reports naming an app version from ${range.from} to ${range.to}. Devices add appVersion to what they send.`}
      >
        {(rows) => <VersionHealthChart rows={rows} range={range} />}
      </QueryView>
    </section>
  );
}

function VersionHealthChart({ rows, range }: { rows: VersionHealthRow[]; range: DayRange }) {
  const days = useMemo(() => daysOf(range), [range]);
  // A version's line has gaps on the days it had no active device (a rate of nothing is not 0%).
  const series = useMemo(() => seriesBy(rows, days, (row) => row.appVersion, (row) => row.crashFreeRate, null), [rows, days]);
  const lowest = rows.reduce((low, row) => (row.crashFreeRate < low.crashFreeRate ? row : low), rows[0]);
  return (
    <div className="grid-2">
      <DailyChart
        title="Crash-free devices per version and day" days={days} series={series} scale="rate"
        summary={`${series.length} versions; lowest ${formatPercent(lowest.crashFreeRate)} (${lowest.appVersion} on ${lowest.date})`}
      />
      <DataTable caption="Version health by day and version" compact columns={[
        'Day (UTC)', 'App version', { label: 'Active devices', numeric: true }, { label: 'Crashed devices', numeric: true }, { label: 'Crash-free', numeric: true },
      ]}>
        {rows.map((row) => (
          <tr key={`${row.date}/${row.appVersion}`}>
            <td className="nowrap">{row.date}</td>
            <td>{row.appVersion}</td>
            <td className="num">{row.activeDevices.toLocaleString('en')}</td>
            <td className="num">{row.crashedDevices.toLocaleString('en')}</td>
            <td className="num">{formatPercent(row.crashFreeRate)}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

function CrashSection({ appId, range }: { appId: string; range: DayRange }) {
  const crashes = useCrashGroups(appId, range);
  return (
    <section aria-labelledby="crashes-heading">
      <h2 id="crashes-heading">Crash groups</h2>
      <ConnectionView query={crashes} what="crash groups" empty={`No crashes from ${range.from} to ${range.to}.`}>
        {(groups) => (
          <DataTable label="Crash groups, most crashes first" columns={['Crash', { label: 'Crashes', numeric: true }, { label: 'Devices', numeric: true }, 'App versions', 'First seen', 'Last seen']}>
            {groups.map((group) => (
              <tr key={group.fingerprint}>
                <th scope="row">
                  <span className="crash-title">{group.title}</span>
                </th>
                <td className="num">{Number(group.count).toLocaleString('en')}</td>
                <td className="num">{Number(group.affectedDevices).toLocaleString('en')}</td>
                <td>{group.appVersions.join(', ')}</td>
                <td>{formatDateTime(group.firstSeen)}</td>
                <td>{formatDateTime(group.lastSeen)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </ConnectionView>
    </section>
  );
}

function EventsSection({ appId, range }: { appId: string; range: DayRange }) {
  const events = useTelemetryEvents(appId, range);
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events{events.data && ` (${events.data.totalCount.toLocaleString('en')})`}</h2>
      <ConnectionView query={events} what="events" empty={`No events from ${range.from} to ${range.to}.`}>
        {(rows) => (
          <DataTable label="Events, newest first" columns={['Time', 'Event type', 'Mosis version', 'Data']}>
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
          </DataTable>
        )}
      </ConnectionView>
    </section>
  );
}
