// Top level: waits for the session probe, gates everything behind sign-in and the forced password change, then routes.
import { useEffect, type ReactNode } from 'react';
import { AppShell, BareShell } from './components/app-shell.component.tsx';
import { PageHeading } from './components/common.component.tsx';
import { AccountPage } from './pages/account.page.tsx';
import { AffectedPage } from './pages/affected.page.tsx';
import { AdvisoriesPage } from './pages/advisories.page.tsx';
import { AdvisoryDetailPage } from './pages/advisory-detail.page.tsx';
import { AdvisoryEditorPage } from './pages/advisory-editor.page.tsx';
import { AuditPage } from './pages/audit.page.tsx';
import { InventoriesPage } from './pages/inventories.page.tsx';
import { InventoryDetailPage } from './pages/inventory-detail.page.tsx';
import { HomePage } from './pages/home.page.tsx';
import { InvitationsPage } from './pages/invitations.page.tsx';
import { OrganisationDetailPage } from './pages/organisation-detail.page.tsx';
import { OrganisationsPage } from './pages/organisations.page.tsx';
import { SetPasswordPage } from './pages/set-password.page.tsx';
import { SignInPage } from './pages/sign-in.page.tsx';
import { TokensPage } from './pages/tokens.page.tsx';
import { UsersPage } from './pages/users.page.tsx';
import { CampaignsPage } from './pages/campaigns.page.tsx';
import { CampaignDetailPage } from './pages/campaign-detail.page.tsx';
import { AssetsPage } from './pages/assets.page.tsx';
import { IntakePage } from './pages/intake.page.tsx';
import { TriagePage } from './pages/triage.page.tsx';
import { FindingDetailPage } from './pages/finding-detail.page.tsx';
import { CasesPage } from './pages/cases.page.tsx';
import { CaseDetailPage } from './pages/case-detail.page.tsx';
import { NotificationsPage } from './pages/notifications.page.tsx';
import { DashboardPage } from './pages/dashboard.page.tsx';
import { AppLink, matchPath, navigate, usePath, useUserNavigationCount } from './router.tsx';
import { canAdminister, useSessionContext } from './session.context.tsx';
import type { Session } from './api.ts';

const TITLES: [string, string][] = [
  ['/organisations/:id', 'Organisation'],
  ['/organisations', 'Organisations'],
  ['/inventories/:id', 'Inventory'],
  ['/inventories', 'Inventories'],
  ['/advisories/new', 'New advisory'],
  ['/advisories/:id/edit', 'Edit advisory'],
  ['/advisories/:id', 'Advisory'],
  ['/advisories', 'Advisories'],
  ['/affected', 'Affected components'],
  ['/campaigns/:id', 'Scanning campaign'],
  ['/campaigns', 'Scanning campaigns'],
  ['/assets', 'Named assets'],
  ['/findings/new', 'Report findings'],
  ['/findings/:id', 'Finding'],
  ['/findings', 'Findings'],
  ['/cases/:id', 'Case'],
  ['/cases', 'Cases'],
  ['/notifications', 'Notifications'],
  ['/dashboard', 'Dashboard'],
  ['/account', 'Your account'],
  ['/users', 'Users'],
  ['/tokens', 'API tokens'],
  ['/invitations', 'Invitations'],
  ['/audit', 'Audit trail'],
  ['/set-password', 'Set your password'],
  ['/sign-in', 'Sign in'],
  ['/', 'Home'],
];

function useDocumentTitle(path: string, signedIn: boolean) {
  useEffect(() => {
    const title = signedIn || path.startsWith('/advisories') ? (TITLES.find(([p]) => matchPath(p, path))?.[1] ?? 'Page not found') : 'Sign in';
    document.title = `${title} | Clearinghouse`;
  }, [path, signedIn]);
}

function NotFound() {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>There is nothing at this address. It may have moved, or you may not have access to it.</p>
      <AppLink href="/">Go to the home page</AppLink>
    </>
  );
}

function NotAllowed() {
  return (
    <>
      <PageHeading>Not available</PageHeading>
      <p>This page is for site administrators and organisation administrators.</p>
      <AppLink href="/">Go to the home page</AppLink>
    </>
  );
}

/** The advisory pages; the list and a record's page are also open to anonymous readers (published TLP:CLEAR ones). */
function advisoryRoute(path: string, signedIn = true): ReactNode {
  if (path === '/advisories') return <AdvisoriesPage />;
  if (signedIn && path === '/advisories/new') return <AdvisoryEditorPage />;
  const edit = matchPath('/advisories/:id/edit', path);
  if (signedIn && edit) return <AdvisoryEditorPage key={edit.id} advisoryId={edit.id!} />;
  const advisory = matchPath('/advisories/:id', path);
  if (advisory && advisory.id !== 'new') return <AdvisoryDetailPage key={advisory.id} advisoryId={advisory.id!} />;
  return null;
}

/** Issue 9's pages: campaigns, intake, triage, findings, cases. */
function intakeRoute(path: string): ReactNode {
  if (path === '/campaigns') return <CampaignsPage />;
  const campaign = matchPath('/campaigns/:id', path);
  if (campaign) return <CampaignDetailPage key={campaign.id} campaignId={campaign.id!} />;
  if (path === '/assets') return <AssetsPage />;
  if (path === '/findings/new') return <IntakePage />;
  if (path === '/findings') return <TriagePage />;
  const finding = matchPath('/findings/:id', path);
  if (finding) return <FindingDetailPage key={finding.id} findingId={finding.id!} />;
  if (path === '/notifications') return <NotificationsPage />;
  if (path === '/dashboard') return <DashboardPage />;
  if (path === '/cases') return <CasesPage />;
  const kase = matchPath('/cases/:id', path);
  if (kase) return <CaseDetailPage key={kase.id} caseId={kase.id!} />;
  return null;
}

function route(path: string, session: Session, notice: string | undefined): ReactNode {
  if (path === '/' || path === '/sign-in' || path === '/set-password') return <HomePage notice={notice} />;
  if (path === '/organisations') return <OrganisationsPage />;
  const org = matchPath('/organisations/:id', path);
  // Keyed so moving between organisations remounts the page (fresh state, focus on the new heading).
  if (org) return <OrganisationDetailPage key={org.id} orgId={org.id!} />;
  if (path === '/inventories') return <InventoriesPage />;
  const inventory = matchPath('/inventories/:id', path);
  if (inventory) return <InventoryDetailPage key={inventory.id} inventoryId={inventory.id!} />;
  if (path === '/affected') return <AffectedPage />;
  const issue9 = intakeRoute(path);
  if (issue9) return issue9;
  const advisoryPage = advisoryRoute(path);
  if (advisoryPage) return advisoryPage;
  if (path === '/account') return <AccountPage />;
  if (path === '/users') return canAdminister(session) ? <UsersPage /> : <NotAllowed />;
  if (path === '/tokens') return <TokensPage />;
  if (path === '/invitations') return <InvitationsPage />;
  if (path === '/audit') return canAdminister(session) ? <AuditPage /> : <NotAllowed />;
  return <NotFound />;
}

export function App() {
  const { state, clearNotice } = useSessionContext();
  const path = usePath();
  // A notice belongs to the page it was raised on; going elsewhere dismisses it (redirects do not count).
  const navigations = useUserNavigationCount();
  useEffect(() => clearNotice(), [navigations, clearNotice]);
  const signedIn = state.status === 'signed-in';
  const mustChange = signedIn && state.session.user.mustChangePassword;
  useDocumentTitle(mustChange ? '/set-password' : path, signedIn);

  useEffect(() => {
    if (mustChange && path !== '/set-password') navigate('/set-password', { replace: true });
    else if (signedIn && !mustChange && (path === '/sign-in' || path === '/set-password')) navigate('/', { replace: true });
  }, [signedIn, mustChange, path]);

  if (state.status === 'loading')
    return (
      <BareShell>
        <p role="status" className="margin-top-4">
          Loading…
        </p>
      </BareShell>
    );
  const anonymousAdvisory = state.status === 'signed-out' ? advisoryRoute(path, false) : null;
  if (anonymousAdvisory)
    return (
      <BareShell>
        <p className="margin-top-2">
          <AppLink href="/sign-in">Sign in</AppLink> to see advisories shared with your organisation.
        </p>
        {anonymousAdvisory}
      </BareShell>
    );
  if (state.status === 'signed-out')
    return (
      <BareShell>
        <SignInPage notice={state.notice} />
      </BareShell>
    );
  if (mustChange)
    return (
      <BareShell>
        <SetPasswordPage />
      </BareShell>
    );
  return (
    <AppShell session={state.session}>
      {/* Keyed by path so each page mounts fresh and moves focus to its heading. */}
      <div key={path}>{route(path, state.session, state.notice)}</div>
    </AppShell>
  );
}
