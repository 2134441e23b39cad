import { useCallback, useState, type FormEvent, type ChangeEvent } from 'react';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { Button, Form, Label, TextInput } from '@trussworks/react-uswds';
import { api, type AuditEntry } from '../api.ts';
import { ErrorAlert, formatUtc, LoadMore, PageHeading, ScrollTable } from '../components/common.component.tsx';

const PAGE_SIZE = 50;
const SHORT_HASH = 12;
// Offered as suggestions; the filter accepts any record type the server knows.
const KNOWN_RECORD_TYPES = ['organisation', 'membership', 'user', 'api-token', 'session'];

function actorOf(entry: AuditEntry): string {
  if (entry.actor) return entry.actor.email ?? entry.actor.userId;
  return entry.via === 'system' ? 'System' : '—';
}

export function AuditPage() {
  const [filterText, setFilterText] = useState('');
  const [recordType, setRecordType] = useState('');
  const fetchPage = useCallback(
    (from: string | null) => api.listAudit({ limit: PAGE_SIZE, cursor: from, recordType: recordType || undefined }),
    [recordType],
  );
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);

  const applyFilter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setItems([]);
    setRecordType(filterText.trim());
  };

  const seenTypes = [...new Set([...KNOWN_RECORD_TYPES, ...items.map((e) => e.recordType)])].sort();

  return (
    <>
      <PageHeading>Audit trail</PageHeading>
      <p>
        Every change is recorded here, newest first. Entries are hash-chained: each hash covers the entry and the one
        before it, so <code>clearinghouse audit verify</code> detects any edited, inserted or reordered entry, and any removed one short of the newest.
      </p>
      <Form onSubmit={applyFilter} noValidate className="ch-filter maxw-none" aria-label="Filter the audit trail">
        <div>
          <Label htmlFor="audit-record-type" className="margin-top-0">
            Record type
          </Label>
          <TextInput
            id="audit-record-type"
            name="recordType"
            type="text"
            list="audit-record-types"
            autoCapitalize="off"
            spellCheck={false}
            value={filterText}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setFilterText(e.target.value)}
          />
          <datalist id="audit-record-types">
            {seenTypes.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <Button type="submit">Filter</Button>
        {recordType && (
          <Button
            type="button"
            unstyled
            onClick={() => {
              setFilterText('');
              setItems([]);
              setRecordType('');
            }}
          >
            Show all
          </Button>
        )}
      </Form>
      <ErrorAlert error={error} heading="The audit trail could not be loaded" />
      <ScrollTable caption={recordType ? `Audit entries for record type "${recordType}"` : 'All audit entries'}>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Via</th>
            <th scope="col">Action</th>
            <th scope="col">Record type</th>
            <th scope="col">Record id</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.seq}>
              <th scope="row" className="text-normal ch-nowrap">
                <time dateTime={e.at}>{formatUtc(e.at)}</time>
              </th>
              <td>{actorOf(e)}</td>
              <td>{e.via}</td>
              <td>{e.action}</td>
              <td>{e.recordType}</td>
              <td className="font-mono-3xs">
                <span className="ch-id" title={e.recordId}>
                  {e.recordId}
                </span>
              </td>
              <td className="font-mono-3xs">
                <abbr title={e.hash}>{e.hash.slice(0, SHORT_HASH)}</abbr>
              </td>
            </tr>
          ))}
          {!loading && items.length === 0 && !error && (
            <tr>
              <td colSpan={7}>
                No audit entries{recordType ? ` for record type "${recordType}"` : ''}.{' '}
                {recordType ? 'Clear the filter or try another record type.' : 'Entries appear here as soon as anything is created or changed.'}
              </td>
            </tr>
          )}
        </tbody>
      </ScrollTable>
      {loading && items.length === 0 && <p role="status">Loading audit entries…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}
