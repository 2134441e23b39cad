/**
 * Case threads and their attachments (issue 9; docs/case-threads.md). A case's threads are `participants` and
 * `internal`; an unknown thread name and a thread the caller may not read answer the same 404.
 */
import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { guardFor } from '../domain/policy/authorize.ts';
import { PARTICIPANT_ROLES } from '../domain/policy/case.policy.ts';
import { THREADS } from '../domain/policy/case-thread.policy.ts';
import { MESSAGE_LIMITS, MESSAGE_ORDERS, THREAD_LIMITS } from '../services/case-thread.service.ts';
import { Attachment, UploadQuery, acceptRawUploads, sendAttachment, uploadMeta } from './attachment.routes.ts';
import { sendProblem, toProblem } from './problem.ts';
import { Id, Nullable, StringEnum, Timestamp, errorResponses } from './schemas.ts';

const tags = ['case threads'];
const ThreadName = StringEnum(THREADS, 'thread name');
const ThreadParam = Type.String({ minLength: 1, maxLength: 40, description: `the thread: ${THREADS.join(' or ')} (internal: coordinators only)` });
const ThreadParams = Type.Object({ id: Id, thread: ThreadParam }, { additionalProperties: false });
const MessageParams = Type.Object({ id: Id, thread: ThreadParam, messageId: Id }, { additionalProperties: false });
const AttachmentParams = Type.Object({ id: Id, thread: ThreadParam, messageId: Id, attachmentId: Id }, { additionalProperties: false });
const Role = Nullable(StringEnum(PARTICIPANT_ROLES, 'the organisation\'s role on the case when it wrote (null: a coordinator not taking part)'));
const Body = Type.String({ minLength: 1, maxLength: MESSAGE_LIMITS.body, description: `Markdown (CommonMark; raw HTML is shown as text), at most ${MESSAGE_LIMITS.body} characters` });

const Message = Type.Object({
  id: Id,
  thread: ThreadName,
  author: Type.Object({ name: Type.String(), organisationId: Id, organisationName: Type.String(), role: Role, you: Type.Boolean() }),
  createdAt: Timestamp,
  body: Type.String({ description: 'the Markdown source as written' }),
  html: Type.String({ description: 'the source rendered by markdown-it and sanitised by an allow-list: safe to insert as HTML' }),
  replyTo: Nullable(Id),
  attachments: Type.Array(Attachment, { description: 'metadata only; the content is downloaded at each url' }),
  unread: Type.Boolean({ description: 'posted by someone else after you last marked the thread seen' }),
  canAttach: Type.Boolean({ description: 'you may still attach files to it (its author, within 30 minutes of posting, case open)' }),
}, { $id: 'CaseMessage' });

const ThreadPage = Type.Object({
  items: Type.Array(Message),
  nextCursor: Nullable(Type.String()),
  thread: ThreadName,
  seenAt: Nullable(Timestamp),
  unread: Type.Integer({ description: 'messages by others after your mark, in the whole thread' }),
  total: Type.Integer(),
});

const ThreadSummary = Type.Object({
  name: ThreadName,
  total: Type.Integer(),
  unread: Type.Integer({ description: 'messages by others since you last marked the thread seen' }),
  latestAt: Nullable(Timestamp),
  seenAt: Nullable(Timestamp),
  canPost: Type.Boolean(),
  postAs: Type.Array(Type.Object({ organisationId: Id, name: Type.String(), role: Role }), { description: 'the organisations you may write as here; the first is the default' }),
});

const ListQuery = Type.Object({
  order: Type.Optional(StringEnum(MESSAGE_ORDERS, 'newest first (the default) or oldest first')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const PostBody = Type.Object({
  body: Body,
  replyTo: Type.Optional(Nullable(Id)),
  organisationId: Type.Optional(Id),
}, { additionalProperties: false });

export const caseThreadRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const threads = services.caseThreads;

  app.get('/cases/:id/threads', {
    schema: {
      tags,
      summary: 'The threads of a case you may read (the internal one for coordinators only), with totals and your unread counts',
      params: Type.Object({ id: Id }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(ThreadSummary) }), ...errorResponses(404) },
    },
  }, async (request) => ({ items: await threads.threads(request.principal, request.params.id) }));

  app.get('/cases/:id/threads/:thread/messages', {
    schema: {
      tags,
      summary: 'A page of a thread\'s messages, newest first (or oldest first), keyset-paged; reading does not mark the thread seen',
      params: ThreadParams,
      querystring: ListQuery,
      response: { 200: ThreadPage, ...errorResponses(404) },
    },
  }, async (request) => threads.messages(request.principal, request.params.id, request.params.thread, request.query));

  app.post('/cases/:id/threads/:thread/messages', {
    schema: {
      tags,
      summary: 'Post a message (Markdown); participants in the participants\' thread, coordinators in the internal one',
      description: 'Messages are not edited afterwards (docs/case-threads.md): a correction is a reply. Files are attached right after posting, by the author.',
      params: ThreadParams,
      body: PostBody,
      response: { 201: Message, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await threads.post(request.principal, request.params.id, request.params.thread, request.body)));

  app.post('/cases/:id/threads/:thread/seen', {
    schema: {
      tags,
      summary: 'Mark the thread read by you, up to a message (the newest you were shown) or up to now',
      params: ThreadParams,
      body: Type.Object({ upTo: Type.Optional(Id) }, { additionalProperties: false }),
      response: { 200: Type.Object({ thread: ThreadName, seenAt: Nullable(Timestamp), unread: Type.Integer() }), ...errorResponses(404) },
    },
  }, async (request) => threads.markSeen(request.principal, request.params.id, request.params.thread, request.body ?? {}));

  app.post('/cases/:id/threads/:thread/preview', {
    schema: {
      tags,
      summary: 'Render Markdown exactly as a message of this thread would be shown (nothing is stored)',
      params: ThreadParams,
      body: Type.Object({ body: Body }, { additionalProperties: false }),
      response: { 200: Type.Object({ html: Type.String() }), ...errorResponses(404) },
    },
  }, async (request) => threads.preview(request.principal, request.params.id, request.params.thread, request.body.body));

  app.get('/cases/:id/threads/:thread/messages/:messageId/attachments/:attachmentId', {
    schema: {
      tags,
      summary: 'Download a message\'s attachment (as a file: Content-Disposition attachment, nosniff; ETag is its SHA-256)',
      params: AttachmentParams,
      response: { 200: Type.Unknown({ description: 'the content, with its stored media type' }), 304: Type.Null(), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const { id, thread, messageId, attachmentId } = request.params;
    const a = await threads.attachment(request.principal, id, thread, messageId, attachmentId);
    return sendAttachment(request, reply, a.row, a.content);
  });

  // The upload takes the file itself as the body, unread: the evidence store streams it to a temporary file.
  await app.register(async (plain) => {
    const raw = plain.withTypeProvider<TypeBoxTypeProvider>();
    acceptRawUploads(raw);
    raw.addHook('onRequest', async (request) => guardFor(request.principal, 'case-thread.attach'));
    raw.setErrorHandler((err, request, reply) => {
      const { problem: p, unexpected } = toProblem(err as Error, request);
      if (unexpected) request.log.error({ err }, 'unhandled error');
      // The rest of a refused body is not read: the connection is not reused.
      if (p.status === 413) reply.header('Connection', 'close');
      return sendProblem(reply, p);
    });

    raw.post('/cases/:id/threads/:thread/messages/:messageId/attachments', {
      schema: {
        tags,
        summary: 'Attach a file to your message (the body is the file), within 30 minutes of posting',
        description:
          `The body is the file, any content type (stored as sent when on the safe list, else application/octet-stream), streamed; up to ` +
          `${services.attachments.maxBytes} bytes (CLEARINGHOUSE_ATTACHMENT_LIMIT), else 413 and nothing is stored; at most ` +
          `${THREAD_LIMITS.attachmentsPerMessage} files a message. The name: query parameter filename, or the X-Filename header (percent-encoded).`,
        params: MessageParams,
        querystring: UploadQuery,
        response: { 201: Attachment, ...errorResponses(404, 409, 413) },
      },
    }, async (request, reply) => {
      const { id, thread, messageId } = request.params;
      const a = await threads.attach(request.principal, id, thread, messageId, uploadMeta(request));
      reply.header('Location', a.url);
      return reply.code(201).send(a);
    });
  });
};
