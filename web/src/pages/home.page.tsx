import { KIND_LABELS } from '../api.ts';
import { FocusAlert, PageHeading } from '../components/common.component.tsx';
import { AppLink } from '../router.tsx';
import { canAdminister, useSession } from '../session.context.tsx';

function Card({ heading, href, children }: { heading: string; href: string; children: string }) {
  return (
    <li className="usa-card tablet:grid-col-6 desktop:grid-col-4">
      <div className="usa-card__container">
        <div className="usa-card__header">
          <h2 className="usa-card__heading">
            <AppLink href={href}>{heading}</AppLink>
          </h2>
        </div>
        <div className="usa-card__body">
          <p>{children}</p>
        </div>
      </div>
    </li>
  );
}

export function HomePage({ notice }: { notice?: string }) {
  const session = useSession();
  const admin = canAdminister(session);
  return (
    <>
      <PageHeading>Welcome, {session.user.name || session.user.email}</PageHeading>
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <p className="usa-intro">
        Clearinghouse coordinates the disclosure and remediation of vulnerabilities in AI systems and the
        infrastructure they run on.
      </p>
      <h2>Your organisations</h2>
      {session.memberships.length === 0 ? (
        <p>
          You are not a member of any organisation yet, so you cannot upload inventories.
          {session.user.siteAdmin
            ? ' As a site administrator you can create one under Organisations and add yourself to it.'
            : ' Ask an administrator of your organisation to add you.'}
        </p>
      ) : (
        <ul className="usa-list">
          {session.memberships.map((m) => (
            <li key={m.organisationId}>
              <AppLink href={`/organisations/${encodeURIComponent(m.organisationId)}`}>{m.organisationName}</AppLink> —{' '}
              {KIND_LABELS[m.kind] ?? m.kind}; your roles: {m.roles.join(', ') || 'none'}
            </li>
          ))}
        </ul>
      )}
      <ul className="usa-card-group margin-top-4">
        <Card heading="Inventories" href="/inventories">
          Upload the SBOMs of the systems your organisation runs, so every new advisory is matched against them.
        </Card>
        <Card heading="Affected components" href="/affected">
          Paste an OSV advisory to see which inventories it affects, and the version that fixes each component.
        </Card>
        <Card heading="Organisations" href="/organisations">
          Government bodies, AI developers, infrastructure operators, vendors, evaluators and researchers taking part.
        </Card>
        {admin && (
          <Card heading="Users" href="/users">
            Create accounts and hand out one-time passwords to the people you coordinate with.
          </Card>
        )}
        <Card heading="API tokens" href="/tokens">
          Scoped tokens for scripts and integrations that call the Clearinghouse API.
        </Card>
        {admin && (
          <Card heading="Audit trail" href="/audit">
            The tamper-evident, hash-chained record of every change.
          </Card>
        )}
        <Card heading="Your account" href="/account">
          Your details, and changing your password.
        </Card>
      </ul>
    </>
  );
}
