import { useEffect, useState } from 'react';
import { NOTIFICATIONS_CHANGED, notificationApi, type UnreadCount } from '../api-notifications.ts';

/** How often the header asks again while a page stays open: notifications arrive from other people's work. */
const POLL_MS = 60_000;

/**
 * The signed-in reader's unread notification count for the header: asked on every page change (`path`), every
 * minute, and at once when this tab changed the reader's own state. null until known, or when it could not be asked
 * (the header then shows no number rather than a wrong one).
 */
export function useUnreadNotifications(path: string): UnreadCount | null {
  const [count, setCount] = useState<UnreadCount | null>(null);
  useEffect(() => {
    let live = true;
    const client = notificationApi(null);
    const ask = () => {
      client.unreadCount().then(
        (c) => live && setCount(c),
        () => live && setCount(null),
      );
    };
    ask();
    const timer = window.setInterval(ask, POLL_MS);
    window.addEventListener(NOTIFICATIONS_CHANGED, ask);
    return () => {
      live = false;
      window.clearInterval(timer);
      window.removeEventListener(NOTIFICATIONS_CHANGED, ask);
    };
  }, [path]);
  return count;
}
