// The frame around every page: a plain USWDS extended header (this is open-source software, not a .gov site, so no
// "official website" banner), role-aware navigation, the signed-in user's controls, and a footer.
import { useEffect, useState, type ReactNode } from 'react';
import { Button, ExtendedNav, GridContainer, Header, Icon, NavMenuButton, Title } from '@trussworks/react-uswds';
import { AppLink, usePath } from '../router.tsx';
import { useUnreadNotifications } from '../hooks/use-unread-notifications.ts';
import { canAdminister, useSessionContext } from '../session.context.tsx';
import type { Session } from '../api.ts';

interface NavEntry {
  href: string;
  label: string;
  visible: (session: Session) => boolean;
}

export const NAV_ENTRIES: NavEntry[] = [
  { href: '/', label: 'Home', visible: () => true },
  { href: '/inventories', label: 'Inventories', visible: () => true },
  { href: '/advisories', label: 'Advisories', visible: () => true },
  { href: '/affected', label: 'Affected components', visible: () => true },
  { href: '/findings', label: 'Findings', visible: () => true },
  { href: '/cases', label: 'Cases', visible: () => true },
  { href: '/campaigns', label: 'Campaigns', visible: () => true },
  { href: '/organisations', label: 'Organisations', visible: () => true },
  { href: '/users', label: 'Users', visible: canAdminister },
  { href: '/tokens', label: 'API tokens', visible: () => true },
  { href: '/invitations', label: 'Invitations', visible: () => true },
  { href: '/audit', label: 'Audit trail', visible: canAdminister },
];

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function SkipLink() {
  return (
    <a className="usa-skipnav" href="#main-content">
      Skip to main content
    </a>
  );
}

function Footer() {
  return (
    <footer className="usa-footer usa-footer--slim">
      <div className="usa-footer__secondary-section">
        <GridContainer>
          <p className="margin-y-0 font-sans-2xs">
            Clearinghouse — open-source vulnerability coordination, licensed under Apache-2.0. This is not a U.S.
            government website. <a href="/docs">API documentation</a> (OpenAPI at <a href="/openapi.json">/openapi.json</a>).
          </p>
        </GridContainer>
      </div>
    </footer>
  );
}

function Main({ children }: { children: ReactNode }) {
  return (
    <main id="main-content" className="ch-main">
      <GridContainer className="padding-bottom-6">{children}</GridContainer>
    </main>
  );
}

/** Header with only the product name: for sign-in and the forced password change. */
export function BareShell({ children }: { children: ReactNode }) {
  return (
    <div className="ch-app">
      <SkipLink />
      <Header basic className="ch-header">
        <div className="usa-nav-container">
          <div className="usa-navbar">
            <Title>
              <span className="ch-title">Clearinghouse</span>
            </Title>
          </div>
        </div>
      </Header>
      <Main>{children}</Main>
      <Footer />
    </div>
  );
}

export function AppShell({ session, children }: { session: Session; children: ReactNode }) {
  const path = usePath();
  const { signOut } = useSessionContext();
  const [expanded, setExpanded] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const unread = useUnreadNotifications(path);

  // Close the mobile menu when the page changes.
  useEffect(() => setExpanded(false), [path]);

  const leave = async (everywhere: boolean) => {
    setSigningOut(true);
    try {
      await signOut(everywhere);
    } finally {
      setSigningOut(false);
    }
  };

  const primaryItems = NAV_ENTRIES.filter((e) => e.visible(session)).map((entry) => (
    <AppLink
      key={entry.href}
      href={entry.href}
      className={`usa-nav-link${isCurrent(entry.href, path) ? ' usa-current' : ''}`}
      aria-current={isCurrent(entry.href, path) ? 'page' : undefined}
    >
      <span>{entry.label}</span>
    </AppLink>
  ));

  const unreadText = unread && unread.unread > 0 ? (unread.capped ? `${unread.unread}+` : String(unread.unread)) : null;
  const secondaryItems = [
    // A header control, not a navigation entry: the primary navigation has no room left at 1280 px.
    <AppLink
      key="notifications"
      href="/notifications"
      aria-label={unreadText ? `Notifications, ${unreadText} unread` : 'Notifications'}
      aria-current={path === '/notifications' ? 'page' : undefined}
      title="Notifications"
      data-testid="notifications-link"
    >
      {/* A bell, not a word, on wide screens: the header's secondary links already fill the row at 1280 px. */}
      {unreadText ? <Icon.NotificationsActive aria-hidden focusable={false} size={3} className="text-middle" /> : <Icon.NotificationsNone aria-hidden focusable={false} size={3} className="text-middle" />}
      <span className="desktop:display-none margin-left-05">Notifications</span>
      {unreadText && (
        <span className="usa-tag bg-secondary-dark margin-left-05" data-testid="unread-count">
          {unreadText}
        </span>
      )}
    </AppLink>,
    <span key="who" className="ch-user" title={session.user.name}>
      Signed in as{' '}
      <AppLink href="/account" title="Your account and password">
        <strong>{session.user.email}</strong>
      </AppLink>
      {session.user.siteAdmin ? ' (site administrator)' : ''}
    </span>,
    // The server's interactive OpenAPI documentation: a separate page, not part of this app's router.
    <a key="docs" href="/docs" className="ch-docs-link">
      API docs
    </a>,
    <Button key="out" type="button" unstyled disabled={signingOut} onClick={() => void leave(false)}>
      Sign out
    </Button>,
    <Button key="everywhere" type="button" unstyled disabled={signingOut} onClick={() => void leave(true)}>
      Sign out everywhere
    </Button>,
  ];

  return (
    <div className="ch-app">
      <SkipLink />
      <div className={`usa-overlay${expanded ? ' is-visible' : ''}`} onClick={() => setExpanded(false)} />
      <Header extended className="ch-header">
        <div className="usa-navbar">
          <Title>
            <AppLink href="/" title="Clearinghouse home" className="ch-title">
              Clearinghouse
            </AppLink>
          </Title>
          <NavMenuButton onClick={() => setExpanded((v) => !v)} label="Menu" />
        </div>
        <ExtendedNav
          aria-label="Primary navigation"
          primaryItems={primaryItems}
          secondaryItems={secondaryItems}
          mobileExpanded={expanded}
          onToggleMobileNav={() => setExpanded((v) => !v)}
        />
      </Header>
      <Main>{children}</Main>
      <Footer />
    </div>
  );
}
