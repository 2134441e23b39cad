// Who is signed in, shared by the shell and every page. The server owns the truth (cookie + GET /session);
// this only mirrors it and offers the sign-in/out transitions.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onUnauthenticated, setCsrfToken, type Session } from './api.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; session: Session; notice?: string };

interface SessionContextValue {
  state: SessionState;
  signIn(email: string, password: string): Promise<Session>;
  signOut(everywhere: boolean): Promise<void>;
  /** Re-reads the session; when it has ended, shows `signedOutNotice` on the sign-in page. */
  refresh(notice?: string, signedOutNotice?: string): Promise<void>;
  clearNotice(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async (notice?: string, signedOutNotice?: string) => {
    try {
      const session = await api.getSession();
      setState({ status: 'signed-in', session, notice });
    } catch {
      setCsrfToken(null);
      setState({ status: 'signed-out', notice: signedOutNotice });
    }
  }, []);

  useEffect(() => {
    void refresh();
    return onUnauthenticated(() => {
      setCsrfToken(null);
      setState({ status: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' });
    });
  }, [refresh]);

  const signIn = useCallback(async (email: string, password: string) => {
    const session = await api.signIn(email, password);
    setState({ status: 'signed-in', session });
    return session;
  }, []);

  const signOut = useCallback(async (everywhere: boolean) => {
    try {
      if (everywhere) await api.signOutEverywhere();
      else await api.signOut();
    } finally {
      // Even if the call failed the user asked to leave: forget the local view of the session either way.
      setCsrfToken(null);
      setState({
        status: 'signed-out',
        notice: everywhere ? 'You have been signed out on every device.' : 'You have been signed out.',
      });
    }
  }, []);

  const clearNotice = useCallback(() => {
    setState((s) => (s.status === 'loading' || !s.notice ? s : { ...s, notice: undefined }));
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, refresh, clearNotice }), [state, signIn, signOut, refresh, clearNotice]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionContext(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionContext outside SessionProvider');
  return value;
}

/** The signed-in session; only for pages rendered behind the sign-in gate. */
export function useSession(): Session {
  const { state } = useSessionContext();
  if (state.status !== 'signed-in') throw new Error('useSession while not signed in');
  return state.session;
}

export function isOrgAdmin(session: Session): boolean {
  return session.memberships.some((m) => m.roles.includes('admin'));
}

export function canAdminister(session: Session): boolean {
  return session.user.siteAdmin || isOrgAdmin(session);
}

export function adminOrganisations(session: Session) {
  return session.memberships.filter((m) => m.roles.includes('admin'));
}
