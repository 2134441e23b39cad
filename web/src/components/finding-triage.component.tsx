// The finding page's triage panel (issue 9): the current state and its allowed next states with a required note, CVSS
// 4.0 and 3.1 scoring with the live calculator, the SSVC decision points with the decision shown as they are chosen,
// the KEV status and the triage history, newest first. Coordinators (members of a government organisation) get the
// controls; every other reader sees the values. The server decides in the end: a refused write shows its problem.
import { useCallback, useEffect, useId, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Fieldset, Form, Radio, Textarea } from '@trussworks/react-uswds';
import { ApiError, type Session } from '../api.ts';
import { triageApi, type FindingView, type KevStatusView, type SsvcPoints, type SsvcRecord, type TriageEventView, type TriageState } from '../api-triage.ts';
// The tree and the life cycle are pure code shared with the server (no imports, no Node APIs), so the decision shown
// while choosing is the one the server will record, and the moves offered are the ones it allows.
import { AUTOMATABLE, EXPLOITATION, MISSION_WELLBEING, TECHNICAL_IMPACT, ssvcDecision, type SsvcDecision } from '../../../src/domain/ssvc/ssvc-coordinator.ts';
import { allowedNext, isTriageState, NOTE_MAX } from '../../../src/domain/triage/triage-states.ts';
import { ErrorAlert, Field, FocusAlert, formatDateTime, TimeCell } from './common.component.tsx';
import { CvssCalculator } from './cvss-calculator.component.tsx';
import { humanize } from './labels.component.tsx';
import { useSessionContext } from '../session.context.tsx';

/** Whether to offer the triage controls: coordinators, i.e. members of a government organisation (the server decides). */
export function isCoordinator(session: Session | null): boolean {
  return !!session && session.memberships.some((m) => m.kind === 'government');
}

const DECISION_CLASS: Record<SsvcDecision, string> = { Act: 'bg-secondary-darker', Attend: 'bg-secondary', 'Track*': 'bg-accent-warm-dark', Track: 'bg-base' };

/** An SSVC decision as a USWDS tag; "Not decided" before a coordinator records one. */
export function SsvcTag({ decision }: { decision: string | null | undefined }) {
  if (!decision) return <span className="text-base">Not decided</span>;
  return (
    <span className={`usa-tag ${DECISION_CLASS[decision as SsvcDecision] ?? 'bg-base'}`} data-ssvc={decision}>
      {decision}
    </span>
  );
}

export const ssvcOf = (f: FindingView): SsvcRecord | null => (f.ssvc && typeof f.ssvc === 'object' ? (f.ssvc as SsvcRecord) : null);

const EXPLOITATION_WORDS: Record<string, string> = { none: 'None known', poc: 'Public PoC', active: 'Active' };

/** Known exploitation: CISA KEV (with its due date, a calendar date as CISA gives it) or the SSVC answer. */
export function ExploitationText({ finding }: { finding: FindingView }) {
  if (finding.kev)
    return (
      <span data-testid="kev-mark">
        <span className="usa-tag bg-secondary-darker">KEV</span> Active, due {finding.kev.dueDate ?? '—'}
      </span>
    );
  return <>{EXPLOITATION_WORDS[finding.exploitation] ?? humanize(finding.exploitation)}</>;
}

/** The higher of the CVSS scores, with its version; the other one beside it. */
export function CvssText({ finding }: { finding: FindingView }) {
  const scores = [
    finding.cvss4 ? { v: '4.0', score: finding.cvss4.score } : null,
    finding.cvss3 ? { v: '3.1', score: finding.cvss3.score } : null,
  ].filter((s): s is { v: string; score: number | null } => s !== null);
  if (!scores.length) return <span className="text-base">Not scored</span>;
  return (
    <>
      {scores.map((s, i) => (
        <span key={s.v} className="ch-nowrap">
          {i > 0 && ' · '}
          <strong>{s.score?.toFixed(1) ?? '?'}</strong> (CVSS {s.v})
        </span>
      ))}
    </>
  );
}

const POINT_LABELS = {
  exploitation: { legend: 'Exploitation', values: { none: 'None', poc: 'Public PoC', active: 'Active' } },
  automatable: { legend: 'Automatable', values: { no: 'No', yes: 'Yes' } },
  technicalImpact: { legend: 'Technical impact', values: { partial: 'Partial', total: 'Total' } },
  missionWellbeing: { legend: 'Mission and well-being', values: { low: 'Low', medium: 'Medium', high: 'High' } },
} as const;
const POINT_VALUES: { [K in keyof SsvcPoints]: readonly SsvcPoints[K][] } = {
  exploitation: EXPLOITATION,
  automatable: AUTOMATABLE,
  technicalImpact: TECHNICAL_IMPACT,
  missionWellbeing: MISSION_WELLBEING,
};

function eventText(e: TriageEventView): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  if (e.kind === 'state') return `Moved from ${humanize(e.from ?? '?')} to ${humanize(e.to ?? '?')}`;
  if (e.kind === 'ssvc') return `SSVC decision ${String(d.decision ?? '?')} (exploitation ${String(d.exploitation)}, automatable ${String(d.automatable)}, technical impact ${String(d.technicalImpact)}, mission and well-being ${String(d.missionWellbeing)})`;
  if (e.kind === 'scores') {
    const part = (name: string, s: unknown) => (s === undefined ? null : s && typeof s === 'object' && (s as { vector?: unknown }).vector ? `${name} ${String((s as { score?: unknown }).score)} (${String((s as { vector: unknown }).vector)})` : `${name} cleared`);
    return `Scored: ${[part('CVSS 4.0', d.cvss4), part('CVSS 3.1', d.cvss3)].filter(Boolean).join('; ')}`;
  }
  if (e.kind === 'kev') return `Marked actively exploited by the CISA KEV catalogue (${(d.cves as string[] | undefined)?.join(', ') ?? ''}), due ${String(d.dueDate ?? '?')}`;
  return humanize(e.kind);
}

function problemText(error: unknown): unknown {
  if (error instanceof ApiError && (error.status === 412 || error.problem.type?.endsWith('/stale-write')))
    return new Error(`${error.problem.detail ?? 'The finding changed since you opened it.'} The panel now shows the current finding; check it and try again.`);
  return error;
}

/** The triage panel; `onChange` tells the page about the finding as a write left it. */
export function FindingTriagePanel({ findingId, onChange }: { findingId: string; onChange?: (finding: FindingView) => void }) {
  const { state: sessionState } = useSessionContext();
  const session = sessionState.status === 'signed-in' ? sessionState.session : null;
  const client = useMemo(() => triageApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const coordinator = isCoordinator(session);
  const idBase = useId();

  const [finding, setFinding] = useState<FindingView | null>(null);
  const [history, setHistory] = useState<TriageEventView[]>([]);
  const [kevStatus, setKevStatus] = useState<KevStatusView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const [nextState, setNextState] = useState<TriageState | ''>('');
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const [points, setPoints] = useState<Partial<SsvcPoints>>({});

  const reload = useCallback(async () => {
    try {
      const [f, h, k] = await Promise.all([client.finding(findingId), client.history(findingId), client.kevStatus()]);
      setFinding(f);
      setHistory(h.items);
      setKevStatus(k);
      setLoadError(null);
      const s = ssvcOf(f);
      if (s) setPoints({ exploitation: s.exploitation, automatable: s.automatable, technicalImpact: s.technicalImpact, missionWellbeing: s.missionWellbeing });
      return f;
    } catch (err) {
      setLoadError(err);
      return null;
    }
  }, [client, findingId]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function write(what: string, run: (f: FindingView) => Promise<FindingView>, done: string) {
    if (!finding) return;
    setBusy(what);
    setError(null);
    setNotice(null);
    try {
      const updated = await run(finding);
      await reload();
      onChange?.(updated);
      setNotice(done);
    } catch (err) {
      setError(problemText(err));
      // A stale version: show the finding as it is now, so the next try starts from it.
      if (err instanceof ApiError && (err.status === 412 || err.status === 409)) await reload();
    } finally {
      setBusy(null);
    }
  }

  if (loadError) return <ErrorAlert error={loadError} heading="The triage of this finding could not be loaded" />;
  if (!finding) return <p role="status">Loading triage…</p>;

  const ssvc = ssvcOf(finding);
  const moves = isTriageState(finding.state) ? allowedNext(finding.state) : [];
  const complete = (['exploitation', 'automatable', 'technicalImpact', 'missionWellbeing'] as const).every((k) => points[k]);
  const liveDecision = complete ? ssvcDecision(points as SsvcPoints) : null;
  const cves = finding.aliases.filter((a) => /^CVE-\d{4}-\d{4,}$/i.test(a));

  const submitState = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = note.trim();
    if (!nextState) {
      setError(new Error('Choose the state to move the finding to.'));
      return;
    }
    if (!trimmed) {
      setNoteError('Write a note: say why the finding moves.');
      return;
    }
    setNoteError(null);
    void write('state', (f) => client.setState(f.id, f.version, nextState, trimmed), `Moved to ${humanize(nextState)}.`).then(() => {
      setNote('');
      setNextState('');
    });
  };

  return (
    <section className="ch-panel" aria-labelledby={`${idBase}-heading`} data-testid="finding-triage">
      <h2 id={`${idBase}-heading`} className="margin-top-0">
        Triage
      </h2>
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={error} heading="The change was not made" />

      <dl className="ch-facts">
        <dt>State</dt>
        <dd data-testid="triage-state">{humanize(finding.state)}</dd>
        <dt>SSVC decision</dt>
        <dd data-testid="triage-ssvc">
          <SsvcTag decision={ssvc?.decision} />
          {ssvc && ' '}
          {ssvc && (
            <span className="text-base">
              decided <TimeCell value={ssvc.decidedAt} />
            </span>
          )}
        </dd>
        <dt>Exploitation</dt>
        <dd data-testid="triage-exploitation">
          <ExploitationText finding={finding} />
        </dd>
        <dt>CVSS</dt>
        <dd data-testid="triage-cvss">
          <CvssText finding={finding} />
          {finding.cvss4 && <div><code className="ch-purl">{finding.cvss4.vector}</code></div>}
          {finding.cvss3 && <div><code className="ch-purl">{finding.cvss3.vector}</code></div>}
        </dd>
        <dt>CISA KEV</dt>
        <dd data-testid="triage-kev">
          {finding.kev
            ? `In the Known Exploited Vulnerabilities catalogue: added ${finding.kev.dateAdded ?? '—'}, remediation due ${finding.kev.dueDate ?? '—'}.`
            : cves.length === 0
              ? 'The finding has no CVE alias, so the KEV catalogue cannot say whether it is exploited.'
              : kevStatus?.catalogVersion
                ? `${cves.join(', ')} ${cves.length === 1 ? 'is' : 'are'} not in the KEV catalogue version ${kevStatus.catalogVersion} (imported ${formatDateTime(kevStatus.importedAt)}).`
                : 'No KEV catalogue has been imported yet, so known exploitation was not checked.'}
        </dd>
      </dl>

      {coordinator && (
        <>
          <h3>Move the finding</h3>
          {moves.length === 0 ? (
            <p>No move is possible from {humanize(finding.state)}.</p>
          ) : (
            <Form onSubmit={submitState} className="maxw-none" noValidate data-testid="triage-move">
              <Fieldset legend={`From ${humanize(finding.state)} to`}>
                {moves.map((s) => (
                  <Radio key={s} id={`${idBase}-to-${s}`} name={`${idBase}-to`} label={humanize(s)} value={s} checked={nextState === s} onChange={() => setNextState(s)} />
                ))}
              </Fieldset>
              <Field id={`${idBase}-note`} label="Note (required)" hint="Why the finding moves: what was tried, what was seen." error={noteError}>
                {(control) => (
                  <Textarea {...control} name="note" maxLength={NOTE_MAX} value={note} error={!!noteError} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setNote(e.target.value)} />
                )}
              </Field>
              <Button type="submit" disabled={busy !== null} className="margin-top-2">
                {busy === 'state' ? 'Moving…' : 'Move'}
              </Button>
            </Form>
          )}

          <h3>Score with CVSS</h3>
          <p>Choose the base metrics; the score follows as you choose. “Use this vector” records it on the finding (CVSS 4.0 and 3.1 are kept side by side).</p>
          <CvssCalculator
            initial={[finding.cvss4, finding.cvss3].filter((s): s is { vector: string; score: number | null } => !!s).map((s) => ({ type: 'CVSS', score: s.vector }))}
            onUse={(version, vector) =>
              void write('scores', (f) => client.setScores(f.id, f.version, version === '4.0' ? { cvss4: vector } : { cvss3: vector }), `CVSS ${version} score recorded.`)
            }
          />

          <h3>SSVC decision</h3>
          <p>
            The CISA coordinator tree: answer the four decision points; the decision is shown as you answer.
          </p>
          <Form
            className="maxw-none"
            noValidate
            data-testid="triage-ssvc-form"
            onSubmit={(event: FormEvent<HTMLFormElement>) => {
              event.preventDefault();
              if (!complete) {
                setError(new Error('Answer all four decision points first.'));
                return;
              }
              void write('ssvc', (f) => client.setSsvc(f.id, f.version, points as SsvcPoints), `SSVC decision ${liveDecision ?? ''} recorded.`);
            }}
          >
            <div className="grid-row grid-gap">
              {(Object.keys(POINT_VALUES) as (keyof SsvcPoints)[]).map((key) => (
                <Fieldset key={key} legend={POINT_LABELS[key].legend} className="mobile-lg:grid-col-6 tablet:grid-col-3">
                  {POINT_VALUES[key].map((value) => (
                    <Radio
                      key={value}
                      id={`${idBase}-${key}-${value}`}
                      name={`${idBase}-${key}`}
                      label={(POINT_LABELS[key].values as Record<string, string>)[value] ?? value}
                      value={value}
                      checked={points[key] === value}
                      onChange={() => setPoints((p) => ({ ...p, [key]: value }))}
                    />
                  ))}
                </Fieldset>
              ))}
            </div>
            <p role="status" aria-live="polite" data-testid="ssvc-live" className="margin-top-2">
              {liveDecision ? (
                <>
                  Decision: <SsvcTag decision={liveDecision} />
                </>
              ) : (
                'Answer every decision point to see the decision.'
              )}
            </p>
            <Button type="submit" disabled={busy !== null || !complete}>
              {busy === 'ssvc' ? 'Recording…' : 'Record SSVC decision'}
            </Button>
          </Form>
        </>
      )}

      <h3>History</h3>
      {history.length === 0 ? (
        <p>Nobody has triaged this finding yet.</p>
      ) : (
        <ol className="usa-list usa-list--unstyled" data-testid="triage-history">
          {history.map((e, i) => (
            // Vectors and CVE lists are long unbroken words: let them wrap on a phone.
            <li key={`${e.at}-${i}`} className="margin-bottom-2" style={{ overflowWrap: 'anywhere' }}>
              <TimeCell value={e.at} /> — {e.actor}
              <div>{eventText(e)}</div>
              {e.note && <blockquote className="margin-y-05 margin-x-0 padding-left-2 border-left-05 border-base-lighter">{e.note}</blockquote>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
