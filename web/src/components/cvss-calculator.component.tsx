// A CVSS 4.0 / 3.1 base-metric calculator: one radio group per metric builds the vector, scored live in the browser
// (ae-cvss-calculator, the library the server scores with too), and "Use this vector" puts it into the record.
import { useId, useMemo, useState } from 'react';
import { Button, Fieldset, Radio } from '@trussworks/react-uswds';
import { buildVector, CVSS_METRICS, parseVector, scoreVector, type CvssVersion } from '../advisory-form.ts';
import type { Rating } from '../api-advisories.ts';

const RATING_CLASS: Record<Rating, string> = { critical: 'bg-secondary-darker', high: 'bg-secondary', medium: 'bg-accent-warm-dark', low: 'bg-base', none: 'bg-base-light' };

/** The CVSS qualitative rating as a USWDS tag, worded as the specification does. */
export function RatingTag({ rating }: { rating: Rating | null }) {
  if (!rating) return <span className="text-base">Not rated</span>;
  return <span className={`usa-tag ${RATING_CLASS[rating]}`} data-rating={rating}>{rating}</span>;
}

export function CvssCalculator({ initial, onUse }: { initial: { type: string; score: string }[]; onUse: (version: CvssVersion, vector: string) => void }) {
  const idBase = useId();
  const [version, setVersion] = useState<CvssVersion>('4.0');
  // Start from the record's vector of that version, when it has one, so adjusting a vector is one click.
  const [choices, setChoices] = useState<Record<CvssVersion, Record<string, string>>>(() => {
    const from = (ver: CvssVersion) => {
      for (const s of initial) {
        const parsed = parseVector(ver, s.score);
        if (parsed) return parsed;
      }
      return {};
    };
    return { '3.1': from('3.1'), '4.0': from('4.0') };
  });
  const vector = buildVector(version, choices[version]);
  const scored = useMemo(() => (vector ? scoreVector(vector) : null), [vector]);
  const missing = CVSS_METRICS[version].filter((m) => !choices[version][m.key]).length;

  return (
    <section className="ch-panel" aria-labelledby={`${idBase}-heading`} data-testid="cvss-calculator">
      <h3 id={`${idBase}-heading`} className="margin-top-0">
        CVSS calculator
      </h3>
      <Fieldset legend="CVSS version" className="ch-cvss-version">
        {(['4.0', '3.1'] as CvssVersion[]).map((ver) => (
          <Radio key={ver} id={`${idBase}-version-${ver}`} name={`${idBase}-version`} label={`CVSS ${ver}`} value={ver} checked={version === ver} onChange={() => setVersion(ver)} />
        ))}
      </Fieldset>
      {/* USWDS grid utilities: the metrics side by side on wider screens, stacked on a phone. */}
      <div className="grid-row grid-gap">
        {CVSS_METRICS[version].map((metric) => (
          <Fieldset key={`${version}-${metric.key}`} legend={`${metric.name} (${metric.key})`} className="mobile-lg:grid-col-6 tablet:grid-col-4 margin-top-2">
            {metric.values.map((value) => (
              <Radio
                key={value.value}
                id={`${idBase}-${version}-${metric.key}-${value.value}`}
                name={`${idBase}-${version}-${metric.key}`}
                label={value.label}
                value={value.value}
                checked={choices[version][metric.key] === value.value}
                onChange={() => setChoices((c) => ({ ...c, [version]: { ...c[version], [metric.key]: value.value } }))}
              />
            ))}
          </Fieldset>
        ))}
      </div>
      <p role="status" aria-live="polite" data-testid="cvss-result" className="margin-top-2">
        {vector ? (
          <>
            <code className="ch-purl">{vector}</code>
            <br />
            {scored ? (
              <>
                Base score <strong data-testid="cvss-score">{scored.score.toFixed(1)}</strong> <RatingTag rating={scored.rating} />
              </>
            ) : (
              'This vector could not be scored.'
            )}
          </>
        ) : (
          `Choose a value for ${missing} more ${missing === 1 ? 'metric' : 'metrics'} to see the score.`
        )}
      </p>
      <Button type="button" outline disabled={!vector || !scored} onClick={() => vector && onUse(version, vector)}>
        Use this vector
      </Button>
    </section>
  );
}
