import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { NOTIFICATION_LIMITS } from '../services/notification.service.ts';
import { IdParams, Nullable, Timestamp, errorResponses } from './schemas.ts';

const Component = Type.Object({
  purl: Type.String(),
  version: Type.String({ description: 'the installed version' }),
  fixed: Nullable(Type.String({ description: 'lowest fixed version above it, or remediation text' })),
});

export const Notification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'what happened, e.g. case.participant-added, case.reminder, advisory.affected' }),
  organisationId: Type.String({ format: 'uuid', description: 'the recipient organisation (one of yours)' }),
  subject: Type.Object({
    type: Type.String({ description: 'case, finding, advisory...' }),
    id: Type.String(),
    title: Type.String(),
  }),
  detail: Type.Record(Type.String(), Type.Unknown(), { description: 'structured detail of the kind (e.g. daysLeft, publicDate)' }),
  advisoryId: Nullable(Type.String({ description: 'the advisory, when the subject is one (issue 10); else null' })),
  inventories: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), components: Type.Array(Component) }), {
    description: 'your affected inventories (advisory notifications; empty otherwise), as far as you may read them',
  }),
  severity: Nullable(Type.String()),
  kev: Type.Boolean({ description: 'listed in the CISA Known Exploited Vulnerabilities catalogue' }),
  createdAt: Timestamp,
  readAt: Nullable(Timestamp),
  acknowledgedAt: Nullable(Timestamp),
}, { $id: 'Notification' });

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  unread: Type.Optional(Type.Boolean({ description: 'only those you have not read' })),
}, { additionalProperties: false });

const NotificationPage = Type.Object({ items: Type.Array(Notification), nextCursor: Nullable(Type.String()) });

/** The notification inbox (issue 9; issue 10 adds advisory notifications). docs/notifications.md. */
export const notificationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const notifications = services.notifications;
  const tags = ['notifications'];

  app.get('/notifications', {
    schema: {
      tags,
      summary: 'Your notifications, newest first',
      description: 'Notifications of the organisations you belong to whose subject that organisation may still read; read and acknowledged times are your own.',
      querystring: ListQuery,
      response: { 200: NotificationPage, ...errorResponses() },
    },
  }, async (request) => notifications.list(request.principal, request.query));

  app.get('/notifications/unread-count', {
    schema: {
      tags,
      summary: 'How many of your notifications are unread',
      description: `Counts what the list with unread=true would show, up to ${NOTIFICATION_LIMITS.unreadCount} (then capped is true).`,
      response: { 200: Type.Object({ unread: Type.Integer(), capped: Type.Boolean() }), ...errorResponses() },
    },
  }, async (request) => notifications.unreadCount(request.principal));

  app.post('/notifications/read-all', {
    schema: {
      tags,
      summary: 'Mark all your notifications read',
      description: `Marks up to ${NOTIFICATION_LIMITS.markAll} unread notifications read, newest first; more is true when some remain (call again).`,
      response: { 200: Type.Object({ marked: Type.Integer(), more: Type.Boolean() }), ...errorResponses() },
    },
  }, async (request) => notifications.markAllRead(request.principal));

  app.get('/notifications/:id', {
    schema: { tags, summary: 'One of your notifications', params: IdParams, response: { 200: Notification, ...errorResponses(404) } },
  }, async (request) => notifications.get(request.principal, request.params.id));

  app.post('/notifications/:id/read', {
    schema: { tags, summary: 'Mark a notification read (for you)', params: IdParams, response: { 200: Notification, ...errorResponses(404) } },
  }, async (request) => notifications.markRead(request.principal, request.params.id));

  app.post('/notifications/:id/acknowledge', {
    schema: { tags, summary: 'Acknowledge a notification (for you; it is read too)', params: IdParams, response: { 200: Notification, ...errorResponses(404) } },
  }, async (request) => notifications.acknowledge(request.principal, request.params.id));
};
