// Display helpers for enumerations the API sends in kebab-case.
import { KIND_LABELS, type OrganisationKind, type Tlp } from '../api.ts';

export function humanize(value: string): string {
  const words = value.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind as OrganisationKind] ?? humanize(kind);
}

const TLP_CLASS: Record<Tlp, string> = {
  CLEAR: 'ch-tlp--clear',
  GREEN: 'ch-tlp--green',
  AMBER: 'ch-tlp--amber',
  'AMBER+STRICT': 'ch-tlp--amber',
  RED: 'ch-tlp--red',
};

/** TLP 2.0 label in the FIRST colours (black background, coloured text) so analysts recognise it at a glance. */
export function TlpTag({ tlp }: { tlp: Tlp | null }) {
  if (!tlp) return <span className="text-base">—</span>;
  return <span className={`ch-tlp ${TLP_CLASS[tlp] ?? ''}`}>TLP:{tlp}</span>;
}
