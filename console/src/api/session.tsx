import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { isUnauthenticated, mosis } from './mosis';

/**
 * The session token lives in sessionStorage: it survives reloads of this tab but not closing it, and
 * other tabs never see it. A session token carries every scope of its developer for 30 days, so it
 * should sit in the browser no longer than the person is using the console (localStorage would keep
 * it on disk until it expires). Any script on the page could read either, which is why the console
 * is served with a CSP that allows only its own files.
 */
const TOKEN_KEY = 'mosis.console.session';

interface Session {
  token: string | null;
  start(token: string): void;
  /** Forgets the token locally and drops everything cached for it. */
  end(): void;
}

const SessionContext = createContext<Session | null>(null);

function storedToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: the session lasts until the page is left
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(() => {
    const initial = storedToken();
    mosis.setToken(initial ?? undefined);
    return initial;
  });

  const start = useCallback((next: string) => {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, next);
    } catch {
      // kept in memory only
    }
    mosis.setToken(next);
    queryClient.clear();
    setToken(next);
  }, [queryClient]);

  const end = useCallback(() => {
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
    mosis.setToken(undefined);
    queryClient.clear();
    setToken(null);
  }, [queryClient]);

  // A token that stops working (signed out elsewhere, expired) sends the person back to sign in.
  const tokenRef = useRef(token);
  tokenRef.current = token;
  useEffect(() => {
    const onError = (error: unknown) => {
      if (tokenRef.current && isUnauthenticated(error)) end();
    };
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    return () => {
      unsubscribeQueries();
      unsubscribeMutations();
    };
  }, [queryClient, end]);

  const session = useMemo(() => ({ token, start, end }), [token, start, end]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
